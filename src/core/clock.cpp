// Wall clock and hybrid logical clock (Kulkarni et al.): stamps never go backwards and
// stay close to wall time, so one sender's records always sort in send order.
#include "ftpchat/core/clock.hpp"

#include <algorithm>
#include <chrono>

namespace ftpchat {

std::int64_t WallClock::now_ms() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::uint64_t HybridClock::tick() {
  const auto wall = static_cast<std::uint64_t>(std::max<std::int64_t>(0, wall_.now_ms())) << 16;
  std::lock_guard lock(mu_);
  last_ = std::max(last_ + 1, wall);
  return last_;
}

void HybridClock::observe(std::uint64_t remote_stamp) {
  std::lock_guard lock(mu_);
  last_ = std::max(last_, remote_stamp);
}

}  // namespace ftpchat
