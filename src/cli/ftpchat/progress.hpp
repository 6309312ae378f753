// Progress of long operations on stderr, only when stderr is a terminal: one line that is
// rewritten in place and erased when done.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace ftpchat {

class Progress {
 public:
  explicit Progress(std::string what);  // e.g. "verifying room 'general'"
  ~Progress();                          // erases the line
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void update(std::uint64_t done, std::uint64_t total);  // bytes
  // Shows elapsed seconds every 200 ms until destroyed (for steps with no byte count).
  void tick_in_background();
  bool enabled() const { return enabled_; }

 private:
  void draw(const std::string& detail);

  std::string what_;
  bool enabled_;
  std::mutex mu_;  // serializes writes to stderr
  bool drawn_ = false;  // guarded by mu_
  std::atomic<bool> stop_{false};
  std::thread ticker_;
};

}  // namespace ftpchat
