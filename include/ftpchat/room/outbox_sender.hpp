// The mount's background sender: one thread that uploads every room's spooled records
// (rooms with work side by side, on helper threads for the round), with capped exponential
// backoff while the server fails. Knows rooms only through a function that lists the open
// ones.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "ftpchat/core/logger.hpp"
#include "ftpchat/room/room.hpp"

namespace ftpchat {

class OutboxSender {
 public:
  using RoomsFn = std::function<std::vector<std::shared_ptr<Room>>()>;
  static constexpr std::chrono::milliseconds kFirstBackoff{250};
  static constexpr std::chrono::milliseconds kMaxBackoff{30000};
  // Without wake-ups, rooms are still looked at this often (rooms found later may hold an
  // earlier session's spool).
  static constexpr std::chrono::milliseconds kIdleCheck{5000};
  // Rooms uploaded at once at most (the pool decides how many connections they get).
  static constexpr std::size_t kParallelUploads = 8;

  OutboxSender(RoomsFn rooms, Logger& log) : rooms_(std::move(rooms)), log_(log) {}
  ~OutboxSender() { stop(); }
  OutboxSender(const OutboxSender&) = delete;
  OutboxSender& operator=(const OutboxSender&) = delete;

  void start();
  // Joins the thread; makes the spools durable and logs the rooms whose messages stay
  // spooled for the next mount.
  void stop();
  void wake();  // a record was spooled
  // The server answered a poll again: a backoff running since uploads failed ends now, so
  // what was queued during an outage goes up as soon as the server is back rather than
  // after up to 30 s.
  void server_answered();

 private:
  void run();
  bool upload_all(std::string& first_error);  // false when some room failed

  RoomsFn rooms_;
  Logger& log_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  bool woken_ = false;     // guarded by mu_
  bool answered_ = false;  // server_answered() since the backoff began; guarded by mu_
  std::thread thread_;
};

}  // namespace ftpchat
