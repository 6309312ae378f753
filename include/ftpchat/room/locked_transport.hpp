// A Transport that serializes every call on one connection, so the poller and FUSE
// threads can share it.
#pragma once

#include <memory>
#include <mutex>

#include "ftpchat/transport/transport.hpp"

namespace ftpchat {

class LockedTransport final : public Transport {
 public:
  explicit LockedTransport(std::unique_ptr<Transport> inner) : inner_(std::move(inner)) {}

  Result<std::vector<DirEntry>> list(const std::string& dir) override {
    std::lock_guard lock(mu_);
    return inner_->list(dir);
  }
  // The lock is held for the whole transfer: `sink` must not call back into this transport.
  Result<void> read_to(const std::string& path, std::uint64_t offset,
                       const ByteSink& sink) override {
    std::lock_guard lock(mu_);
    return inner_->read_to(path, offset, sink);
  }
  Result<void> append(const std::string& path, std::string_view data) override {
    std::lock_guard lock(mu_);
    return inner_->append(path, data);
  }
  Result<void> create_file(const std::string& path, std::string_view data) override {
    std::lock_guard lock(mu_);
    return inner_->create_file(path, data);
  }
  Result<void> make_dir(const std::string& path) override {
    std::lock_guard lock(mu_);
    return inner_->make_dir(path);
  }
  std::string display_url() const override { return inner_->display_url(); }
  TransportStats stats() const override {
    std::lock_guard lock(mu_);
    return inner_->stats();
  }
  std::string mode() const override {
    std::lock_guard lock(mu_);
    return inner_->mode();
  }

 private:
  std::unique_ptr<Transport> inner_;  // guarded by mu_
  mutable std::mutex mu_;
};

}  // namespace ftpchat
