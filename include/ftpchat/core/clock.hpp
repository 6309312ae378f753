// Time sources: a wall clock that tests can replace, and the hybrid logical clock that stamps
// records, so that each sender's messages sort in send order and replies after what they
// answer, without one member's wrong clock moving everybody's times (docs/FORMAT.md, "Stamps
// and clocks").
#pragma once

#include <cstdint>
#include <mutex>

namespace ftpchat {

class WallClock {
 public:
  virtual ~WallClock() = default;
  virtual std::int64_t now_ms() const;  // milliseconds since the Unix epoch
};

// How far a stamp may lead this machine's wall clock and still be adopted: a remote stamp
// further ahead comes from a clock that is wrong (or ours is), and is refused instead of
// dragging our stamps along; our own clock stepped back by more than this starts afresh
// from the wall clock. Part of the format (docs/FORMAT.md).
constexpr std::int64_t kMaxClockLeadMs = 60'000;

// HLC value: upper 48 bits milliseconds since epoch, lower 16 bits logical counter.
class HybridClock {
 public:
  explicit HybridClock(const WallClock& wall) : wall_(wall) {}
  // Stamp for a local event (a send): above every stamp given out or adopted before, unless
  // that would lead the wall clock by more than kMaxClockLeadMs (the wall clock went back
  // further than that): then the wall clock itself.
  std::uint64_t tick();
  // Merges a stamp seen in a record. Returns false, and changes nothing, when the stamp
  // leads this machine's wall clock by more than kMaxClockLeadMs.
  bool observe(std::uint64_t remote_stamp);
  static std::int64_t millis(std::uint64_t stamp) { return static_cast<std::int64_t>(stamp >> 16); }
  static std::uint64_t from_millis(std::int64_t ms) {
    return ms <= 0 ? 0 : static_cast<std::uint64_t>(ms) << 16;
  }

 private:
  const WallClock& wall_;
  std::mutex mu_;          // guards last_
  std::uint64_t last_ = 0;
};

}  // namespace ftpchat
