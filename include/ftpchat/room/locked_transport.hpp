// A Transport that serializes every call on one connection, so the poller and FUSE
// threads can share it, and says what that connection is doing without waiting for it:
// mode(), stats() and activity() never block behind a transfer (ROOM/status must answer at
// once whatever the network does).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "ftpchat/transport/transport.hpp"

namespace ftpchat {

// The request in progress on the connection.
struct TransportActivity {
  std::string request;                 // e.g. "listing of <path>", "upload to <path>"
  std::chrono::milliseconds silent{0};  // since it started or last received a byte
};

class LockedTransport final : public Transport {
 public:
  explicit LockedTransport(std::unique_ptr<Transport> inner);

  Result<std::vector<DirEntry>> list(const std::string& dir) override;
  // The lock is held for the whole transfer: `sink` must not call back into this transport.
  Result<void> read_to(const std::string& path, std::uint64_t offset,
                       const ByteSink& sink) override;
  Result<void> append(const std::string& path, std::string_view data) override;
  Result<void> create_file(const std::string& path, std::string_view data) override;
  Result<void> make_dir(const std::string& path) override;
  std::string display_url() const override { return inner_->display_url(); }
  // As of the end of the last request (never waits).
  TransportStats stats() const override;
  std::string mode() const override;
  // nullopt when the connection is idle.
  std::optional<TransportActivity> activity() const;

 private:
  // Runs one request on the connection, noting what it is while it runs.
  template <typename F>
  auto run(std::string request, F&& call);
  void note_progress() const;

  std::unique_ptr<Transport> inner_;  // guarded by mu_
  mutable std::mutex mu_;             // one request at a time
  mutable std::mutex info_mu_;        // guards the fields below; never held across a request
  std::string mode_;
  TransportStats stats_;
  std::optional<std::string> request_;  // in progress
  mutable std::chrono::steady_clock::time_point progress_{};
};

}  // namespace ftpchat
