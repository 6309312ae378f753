// OutboxSender: the upload loop. Lock order: mu_ is never held while a room is called;
// rooms take their own locks (room.hpp) and call wake(), which takes mu_ alone.
// Backoff: 250 ms after the first failure, doubling up to 30 s, back to none after a
// success; a wake-up does not cut a backoff short (the server is the problem, not us), but
// news that the server answers a poll again does.
#include "ftpchat/room/outbox_sender.hpp"

#include <algorithm>
#include <optional>

#include "ftpchat/room/worker_threads.hpp"

namespace ftpchat {

void OutboxSender::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void OutboxSender::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (!thread_.joinable()) return;
  thread_.join();
  for (const auto& room : rooms_()) {
    // What stays queued is made durable now: unmount should not leave it to a power loss.
    if (auto durable = room->make_spool_durable(); !durable)
      log_.warning("room " + room->folder() + ": " + describe(durable.error()));
    const std::uint64_t pending = room->counters().pending;
    if (pending > 0)
      log_.warning("room " + room->folder() + ": " + std::to_string(pending) +
                   " message(s) not sent yet; they stay queued on this machine and are sent at "
                   "the next mount of this room");
  }
}

void OutboxSender::server_answered() {
  {
    std::lock_guard lock(mu_);
    answered_ = true;
  }
  cv_.notify_all();
}

void OutboxSender::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

// Rooms with work upload side by side (the connection pool sends different rooms on
// different connections where it has them; one room's uploads stay in order, one at a time).
bool OutboxSender::upload_all(std::string& first_error) {
  std::vector<std::shared_ptr<Room>> busy;
  for (auto& room : rooms_())
    if (room->has_outbox_work()) busy.push_back(std::move(room));
  std::vector<std::optional<Error>> failed(busy.size());
  run_parallel(busy.size(), kParallelUploads, [&](std::size_t i) {
    if (auto sent = busy[i]->upload_pending(); !sent) failed[i] = sent.error();
  });
  for (const auto& error : failed)
    if (error) {
      first_error = describe(*error);
      return false;
    }
  return true;
}

void OutboxSender::run() {
  std::chrono::milliseconds backoff{0};
  for (bool first = true;; first = false) {
    {
      std::unique_lock lock(mu_);
      if (!first) {
        if (backoff.count() > 0) {
          answered_ = false;  // only news from while we wait (not our own upload's re-read)
          cv_.wait_for(lock, backoff, [this] { return stopping_ || answered_; });
        }
        else
          cv_.wait_for(lock, kIdleCheck, [this] { return stopping_ || woken_; });
      }
      if (stopping_) return;
      woken_ = false;
    }
    std::string error;
    if (upload_all(error)) {
      if (backoff.count() > 0) log_.info("sending again: queued messages reached the server");
      backoff = std::chrono::milliseconds(0);
      continue;
    }
    if (backoff.count() == 0)
      log_.warning("cannot send queued messages: " + error +
                   " (they stay queued; retrying with backoff up to 30 s)");
    backoff = backoff.count() == 0 ? kFirstBackoff : std::min(backoff * 2, kMaxBackoff);
  }
}

}  // namespace ftpchat
