// Time sources: a wall clock that tests can replace, and the hybrid logical clock
// that stamps records so that each sender's messages sort in send order.
#pragma once

#include <cstdint>
#include <mutex>

namespace ftpchat {

class WallClock {
 public:
  virtual ~WallClock() = default;
  virtual std::int64_t now_ms() const;  // milliseconds since the Unix epoch
};

// HLC value: upper 48 bits milliseconds since epoch, lower 16 bits logical counter.
class HybridClock {
 public:
  explicit HybridClock(const WallClock& wall) : wall_(wall) {}
  std::uint64_t tick();                      // stamp for a local event (send)
  void observe(std::uint64_t remote_stamp);  // merge a stamp seen in a record
  static std::int64_t millis(std::uint64_t stamp) { return static_cast<std::int64_t>(stamp >> 16); }

 private:
  const WallClock& wall_;
  std::mutex mu_;          // guards last_
  std::uint64_t last_ = 0;
};

}  // namespace ftpchat
