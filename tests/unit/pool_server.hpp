// An in-memory server that several connections use at once (the MemoryTransport behind one
// mutex), for tests of the connection pool and of parallel polls. Each connection is a
// Transport of its own; the server counts connections and requests in flight (overall and per
// room folder), and tests can hold requests (a gate) or make connections refuse to work.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "ftpchat/room/connection_pool.hpp"
#include "memory_transport.hpp"

namespace ftpchat::testing {

class PoolServer {
 public:
  MemoryTransport data;  // guarded by mu (tests touch it only while nothing runs)

  // Connections made so far, and how many requests ran at once at most.
  int connections() const {
    std::lock_guard lock(mu);
    return made;
  }
  int max_in_flight() const {
    std::lock_guard lock(mu);
    return peak;
  }
  // Two requests of one client for one room folder at once (should never happen: one room,
  // one sync at a time).
  int same_room_overlaps() const {
    std::lock_guard lock(mu);
    return overlaps;
  }
  // Which connections (numbered 1, 2, ... as made) appended to `path`.
  std::set<int> appended_on(const std::string& path) const {
    std::lock_guard lock(mu);
    const auto it = appenders.find(path);
    return it == appenders.end() ? std::set<int>{} : it->second;
  }
  // Requests whose path starts with `prefix` and ends with `suffix` wait at the gate until
  // open_gate() (or until `hold` requests wait there at once, which opens it: a rendezvous).
  void close_gate(const std::string& prefix, int hold = 1 << 30, const std::string& suffix = "") {
    std::lock_guard lock(mu);
    gate_prefix = prefix;
    gate_suffix = suffix;
    gate_open = false;
    gate_hold = hold;
    gate_peak = 0;
  }
  void open_gate() {
    {
      std::lock_guard lock(mu);
      gate_open = true;
    }
    cv.notify_all();
  }
  // Waits (at most 10 s) until `n` requests waited at the gate at once.
  bool wait_at_gate(int n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(10), [&] { return gate_peak >= n; });
  }
  // Connections made from now on fail every request with `code` before doing anything.
  void refuse_new_connections(Errc code) {
    std::lock_guard lock(mu);
    refuse = code;
  }

  // One connection to this server.
  class Connection final : public Transport {
   public:
    Connection(PoolServer& server, std::optional<Errc> refuse, std::string client, int number)
        : server_(server), refuse_(refuse), client_(std::move(client)), number_(number) {}
    Result<std::vector<DirEntry>> list(const std::string& dir) override {
      return run(dir, [&] { return server_.data.list(dir); });
    }
    Result<void> read_to(const std::string& path, std::uint64_t offset,
                         const ByteSink& sink) override {
      if (refuse_) return refused();
      std::string bytes;
      auto got = run(path, [&]() -> Result<void> {
        auto all = server_.data.read(path, offset);
        if (!all) return all.error();
        bytes = std::move(*all);
        return {};
      });
      if (!got) return got;
      if (!bytes.empty() && !sink(bytes)) return make_error(Errc::cancelled, "stopped");
      return {};
    }
    Result<void> append(const std::string& path, std::string_view d) override {
      return run(path, [&] {
        server_.appenders[path].insert(number_);
        return server_.data.append(path, d);
      });
    }
    Result<void> create_file(const std::string& path, std::string_view d) override {
      return run(path, [&] { return server_.data.create_file(path, d); });
    }
    Result<void> make_dir(const std::string& path) override {
      return run(path, [&] { return server_.data.make_dir(path); });
    }
    std::string display_url() const override { return "memory:///"; }
    TransportStats stats() const override {
      std::lock_guard lock(server_.mu);
      return stats_;
    }

   private:
    Error refused() const { return Error{*refuse_, "the server refused the connection"}; }
    template <typename F>
    auto run(const std::string& path, F&& call) -> decltype(call()) {
      if (refuse_) return refused();
      const std::string folder = path.substr(0, path.find('/'));
      const std::string room = folder.empty() ? "" : client_ + ":" + folder;
      std::unique_lock lock(server_.mu);
      ++stats_.requests;
      if (++server_.in_flight > server_.peak) server_.peak = server_.in_flight;
      if (!room.empty() && !server_.rooms_busy.insert(room).second) ++server_.overlaps;
      if (!server_.gate_open && path.starts_with(server_.gate_prefix) &&
          path.ends_with(server_.gate_suffix)) {
        server_.gate_peak = std::max(server_.gate_peak, ++server_.at_gate);
        if (server_.at_gate >= server_.gate_hold) server_.gate_open = true;
        server_.cv.notify_all();
        server_.cv.wait(lock, [&] { return server_.gate_open; });
        --server_.at_gate;
      }
      auto result = call();  // the data, under the server's mutex
      --server_.in_flight;
      if (!room.empty()) server_.rooms_busy.erase(room);
      return result;
    }

    PoolServer& server_;
    const std::optional<Errc> refuse_;
    const std::string client_;
    const int number_;
    TransportStats stats_;  // guarded by server_.mu
  };

  // `client` names whose connection it is (overlaps are counted per client).
  std::unique_ptr<Transport> connect(const std::string& client = "") {
    std::lock_guard lock(mu);
    ++made;
    return std::make_unique<Connection>(*this, refuse, client, made);
  }
  TransportFactory factory(const std::string& client = "") {
    return [this, client]() -> Result<std::unique_ptr<Transport>> { return connect(client); };
  }

 private:
  mutable std::mutex mu;
  std::condition_variable cv;
  int made = 0;
  int in_flight = 0, peak = 0, overlaps = 0, at_gate = 0, gate_hold = 0, gate_peak = 0;
  std::set<std::string> rooms_busy;
  std::map<std::string, std::set<int>> appenders;
  std::string gate_prefix, gate_suffix;
  bool gate_open = true;
  std::optional<Errc> refuse;
};

}  // namespace ftpchat::testing
