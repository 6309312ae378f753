// Wall clock and a bounded hybrid logical clock (Kulkarni et al., with the maximum-offset
// rule of CockroachDB): stamps never go backwards while they stay within kMaxClockLeadMs of
// the wall clock, and no stamp further ahead than that is ever adopted.
#include "ftpchat/core/clock.hpp"

#include <algorithm>
#include <chrono>

namespace ftpchat {

std::int64_t WallClock::now_ms() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

namespace {
constexpr std::uint64_t kMaxLead = static_cast<std::uint64_t>(kMaxClockLeadMs) << 16;
}

std::uint64_t HybridClock::tick() {
  const std::uint64_t wall = from_millis(wall_.now_ms());
  std::lock_guard lock(mu_);
  const std::uint64_t next = std::max(last_ + 1, wall);
  last_ = next - wall > kMaxLead ? wall : next;  // our clock went back by more than the bound
  return last_;
}

bool HybridClock::observe(std::uint64_t remote_stamp) {
  const std::uint64_t wall = from_millis(wall_.now_ms());
  if (remote_stamp > wall && remote_stamp - wall > kMaxLead) return false;
  std::lock_guard lock(mu_);
  last_ = std::max(last_, remote_stamp);
  return true;
}

}  // namespace ftpchat
