// The mount's connections to its server: reads (polls, history, headers) spread over a few
// connections, so rooms are polled in parallel, and writes (sends, new rooms) on a connection
// of their own, so a send never waits behind a poll. Thread-safe; what the connections are
// doing is readable at once (activity(), stats(), mode()): ROOM/status never waits for them.
// Rules:
//  1. Connections are made when needed through the factory the cli layer gives (the engine
//     knows no protocol): the writing one at the first write, another reading one when every
//     reading one is busy, up to `size` in all (`size` 1, or no factory: one connection for
//     everything, as before). Each is a login and a session on the server, which may limit them.
//  2. One request at a time per connection (LockedTransport). A reader takes any free reading
//     connection and waits only when none is free and no more may be made.
//  3. Writes of one room always use one connection, pinned at the room's first write of this
//     mount: transports keep state about sends per connection (rewrite mode's copy of the
//     writer's file, WebDAV's append probe). A room's first write takes the writing connection
//     when it is free; when it is busy, a free connection that writes for other rooms, else an
//     idle reading connection (not the first) that becomes a writing one, so rooms sent to at
//     once go out side by side; else it waits for the writing one. (The writing one is the
//     first connection when the server refused it or extra connections are blocked.)
//  4. A new connection whose first request fails as a refused connection does (no answer,
//     login refused, timeout) while another connection has worked is the server's limit: it
//     is dropped and no more are made for kNoExtraFor. A read that handed nothing to its sink
//     goes again on another connection; a write reports its failure (its outcome is the
//     engine's business: it sends again, on the first connection).
//  5. activity() is the request in progress that has gone longest without a byte.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ftpchat/core/logger.hpp"
#include "ftpchat/room/locked_transport.hpp"
#include "ftpchat/transport/transport.hpp"

namespace ftpchat {

// Makes one more connection to the mount's server (no network yet: transports connect at
// their first request).
using TransportFactory = std::function<Result<std::unique_ptr<Transport>>()>;

// One "transport mode" for the pool (ROOM/status) from its connections' modes, each as
// transport/capabilities.hpp renders it: the write way first, then ", "-separated facets
// ("listing by STAT", "active (-o active)"; notes in brackets may hold ", " too). The write
// way is the first mode's (the writing connection's: the others never write); the facets are
// every connection's, each once, in describe()'s order. e.g. {"append (ranged PUT, size-checked)",
// "append (ranged PUT not probed yet), listing by STAT"} -> "append (ranged PUT,
// size-checked), listing by STAT".
std::string merge_transport_modes(const std::vector<std::string>& modes);

class ConnectionPool final : public Transport {
 public:
  static constexpr std::chrono::minutes kNoExtraFor{5};

  ConnectionPool(std::unique_ptr<Transport> first, TransportFactory more, std::size_t size,
                 Logger& log);
  ~ConnectionPool() override;

  Result<std::vector<DirEntry>> list(const std::string& dir) override;
  // The connection is held for the whole transfer: `sink` must not call back into the pool.
  Result<void> read_to(const std::string& path, std::uint64_t offset,
                       const ByteSink& sink) override;
  Result<void> append(const std::string& path, std::string_view data) override;
  Result<void> create_file(const std::string& path, std::string_view data) override;
  Result<void> make_dir(const std::string& path) override;
  std::string display_url() const override { return url_; }
  // Summed over every connection, those dropped included.
  TransportStats stats() const override;
  // The writing connection's mode, then any other mode a reading connection learnt.
  std::string mode() const override;
  std::optional<TransportActivity> activity() const;

  // How many reads may run at once (reading connections it may have): the engine polls that
  // many rooms in parallel.
  std::size_t max_readers() const { return max_readers_; }
  std::size_t open_connections() const;

 private:
  struct Conn {
    explicit Conn(std::unique_ptr<Transport> t) : link(std::move(t)) {}
    LockedTransport link;
    bool busy = false;    // lent to a caller; guarded by mu_
    bool proven = false;  // a request of it got an answer; guarded by mu_
  };
  Conn* lease_reader();  // waits for a free one (rule 2)
  Conn* lease_writer(const std::string& path);  // waits for the room's connection (rule 3)
  Conn* pin_writer_locked(const std::string& room);  // rule 3's choice; null: wait
  // Makes a connection (rule 1) with mu_ released meanwhile; null when refused or failing.
  std::unique_ptr<Conn> make_locked(std::unique_lock<std::mutex>& lock);
  void release(Conn* conn, const std::optional<Error>& failure);
  // Rule 4: drops `conn` (lent to the caller) when its failure is a refused extra connection.
  bool drop_if_refused(Conn* conn, const Error& failure);
  template <typename F>
  auto on_reader(F&& call);
  template <typename F>
  Result<void> on_writer(const std::string& path, F&& call);

  const std::string url_;
  const TransportFactory more_;
  const std::size_t max_readers_;
  const bool separate_writer_;
  Logger& log_;
  mutable std::mutex mu_;  // never held across a request
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Conn>> readers_;  // [0] is the first connection; mu_
  std::unique_ptr<Conn> writer_;                // mu_
  std::vector<std::unique_ptr<Conn>> also_writing_;  // readers turned writers (rule 3); mu_
  std::map<std::string, Conn*> pins_;           // room folder -> its writing connection; mu_
  bool writer_refused_ = false;                 // writes stay on the first connection; mu_
  bool making_writer_ = false;                  // mu_
  std::size_t making_ = 0;                      // connections being made; mu_
  std::chrono::steady_clock::time_point no_extra_until_{};  // rule 4; mu_
  TransportStats dropped_;                                  // of connections dropped; mu_
};

}  // namespace ftpchat
