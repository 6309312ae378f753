// PollPolicy: the adaptive poll interval (rules in the header).
#include "ftpchat/room/poll_policy.hpp"

#include <algorithm>

namespace ftpchat {

PollPolicy::ms PollPolicy::interval(ms quiet, bool watched) const {
  if (quiet < hold) return fast;
  const auto doublings = std::min<long long>(1 + (quiet - hold) / std::max(step, ms(1)), 20);
  const ms cap = std::max(fast, watched ? watched_cap : idle_cap);
  return std::clamp(ms(fast.count() << doublings), fast, cap);
}

}  // namespace ftpchat
