// LockedTransport: one request at a time on the shared connection; what it is doing is kept
// beside it, under a lock of its own, for status readers.
#include "ftpchat/room/locked_transport.hpp"

namespace ftpchat {

using Clock = std::chrono::steady_clock;

LockedTransport::LockedTransport(std::unique_ptr<Transport> inner)
    : inner_(std::move(inner)), mode_(inner_->mode()), stats_(inner_->stats()) {}

template <typename F>
auto LockedTransport::run(std::string request, F&& call) {
  std::lock_guard lock(mu_);
  {
    std::lock_guard info(info_mu_);
    request_ = std::move(request);
    progress_ = Clock::now();
  }
  auto result = call();
  std::string mode = inner_->mode();
  const TransportStats stats = inner_->stats();
  std::lock_guard info(info_mu_);
  request_.reset();
  mode_ = std::move(mode);
  stats_ = stats;
  return result;
}

void LockedTransport::note_progress() const {
  std::lock_guard info(info_mu_);
  progress_ = Clock::now();
}

Result<std::vector<DirEntry>> LockedTransport::list(const std::string& dir) {
  return run("listing of " + (dir.empty() ? std::string("the base folder") : dir),
             [&] { return inner_->list(dir); });
}

Result<void> LockedTransport::read_to(const std::string& path, std::uint64_t offset,
                                      const ByteSink& sink) {
  return run("download of " + path, [&] {
    return inner_->read_to(path, offset, [&](std::string_view piece) {
      note_progress();
      return sink(piece);
    });
  });
}

Result<void> LockedTransport::append(const std::string& path, std::string_view data) {
  return run("upload to " + path, [&] { return inner_->append(path, data); });
}

Result<void> LockedTransport::create_file(const std::string& path, std::string_view data) {
  return run("upload of " + path, [&] { return inner_->create_file(path, data); });
}

Result<void> LockedTransport::make_dir(const std::string& path) {
  return run("creation of folder " + path, [&] { return inner_->make_dir(path); });
}

TransportStats LockedTransport::stats() const {
  std::lock_guard info(info_mu_);
  return stats_;
}

std::string LockedTransport::mode() const {
  std::lock_guard info(info_mu_);
  return mode_;
}

std::optional<TransportActivity> LockedTransport::activity() const {
  std::lock_guard info(info_mu_);
  if (!request_) return std::nullopt;
  return TransportActivity{
      *request_, std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - progress_)};
}

}  // namespace ftpchat
