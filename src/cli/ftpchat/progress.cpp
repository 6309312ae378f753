// Progress: "ftpchat: verifying room 'x'... 1.2/3.4 MB (35%)" redrawn with \r on a terminal.
#include "progress.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace ftpchat {

namespace {
std::string megabytes(std::uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(bytes) / 1e6);
  return buf;
}
}  // namespace

Progress::Progress(std::string what) : what_(std::move(what)), enabled_(isatty(STDERR_FILENO)) {}

Progress::~Progress() {
  stop_ = true;
  if (ticker_.joinable()) ticker_.join();
  std::lock_guard lock(mu_);
  if (drawn_) std::fputs("\r\033[K", stderr);
}

void Progress::draw(const std::string& detail) {
  std::lock_guard lock(mu_);
  std::fprintf(stderr, "\r\033[Kftpchat: %s... %s", what_.c_str(), detail.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::update(std::uint64_t done, std::uint64_t total) {
  if (!enabled_) return;
  const unsigned percent = total ? static_cast<unsigned>(done * 100 / total) : 100;
  draw(megabytes(done) + "/" + megabytes(total) + " MB (" + std::to_string(percent) + "%)");
}

void Progress::tick_in_background() {
  if (!enabled_ || ticker_.joinable()) return;
  ticker_ = std::thread([this] {
    const auto start = std::chrono::steady_clock::now();
    while (!stop_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      const auto secs = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::steady_clock::now() - start)
                            .count();
      if (secs >= 1 && !stop_) draw(std::to_string(secs) + " s");
    }
  });
}

}  // namespace ftpchat
