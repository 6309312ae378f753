// ClockSkewWatch: far-off clocks of other writers, from the stamps of their records.
#include "ftpchat/room/clock_skew.hpp"

#include <algorithm>
#include <cstdlib>

#include "ftpchat/core/clock.hpp"

namespace ftpchat {

std::optional<ClockSkewWatch::Finding> ClockSkewWatch::note(const Id128& writer,
                                                            std::string_view nick,
                                                            std::int64_t stamp_ms,
                                                            std::int64_t now_ms, bool live,
                                                            std::uint64_t sync) {
  Writer& w = writers_[writer];
  w.nick = std::string(nick);
  const std::int64_t lead = stamp_ms - now_ms;
  std::optional<std::int64_t> offset;
  if (lead > kMaxClockLeadMs) {  // rule 1
    offset = lead;
  } else if (live && -lead > kMaxClockLeadMs) {  // rule 2
    if (w.lag_sync == 0) {
      w.lag_sync = sync;
      w.min_lag = -lead;
    } else {
      w.min_lag = std::min(w.min_lag, -lead);
      w.lag_in_two_syncs |= sync != w.lag_sync;
    }
    if (w.lag_in_two_syncs) offset = -w.min_lag;
  } else if (live) {  // rule 3
    if (w.flagged) ++generation_;
    w = Writer{w.nick};
    return std::nullopt;
  }
  if (!offset) return std::nullopt;
  const bool fresh = !w.flagged;
  w.flagged = true;
  if (fresh || std::llabs(w.offset - *offset) >= 1000) {  // not for each record's few ms
    w.offset = *offset;
    ++generation_;
  }
  if (!fresh) return std::nullopt;
  return Finding{writer, w.nick, w.offset};
}

std::vector<ClockSkewWatch::Finding> ClockSkewWatch::far_off() const {
  std::vector<Finding> out;
  for (const auto& [id, w] : writers_)
    if (w.flagged) out.push_back(Finding{id, w.nick, w.offset});
  return out;
}

std::string describe_offset(std::int64_t ms) {
  const std::int64_t s = (std::llabs(ms) + 500) / 1000;
  if (s < 100) return std::to_string(s) + " s";
  if (s < 100 * 60) return std::to_string(s / 60) + " min " + std::to_string(s % 60) + " s";
  const std::int64_t min = (s + 30) / 60;
  const std::int64_t h = min / 60;
  if (h < 48) return std::to_string(h) + " h " + std::to_string(min % 60) + " min";
  return std::to_string(h / 24) + " days " + std::to_string(h % 24) + " h";
}

}  // namespace ftpchat
