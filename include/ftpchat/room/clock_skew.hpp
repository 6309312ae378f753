// Which members' clocks are far off, seen from this mount (docs/FORMAT.md, "Stamps and
// clocks"), so the room can be told once and ROOM/status can list them. Pure: fed the
// stamps of accepted records and this machine's time; no I/O, no locks (the Room guards it).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ftpchat/core/bytes.hpp"

namespace ftpchat {

class ClockSkewWatch {
 public:
  struct Finding {
    Id128 writer{};
    std::string nick;        // as the writer's latest record says
    std::int64_t offset_ms;  // > 0: that clock is ahead of ours; < 0: behind
  };

  // One accepted record of another writer, stamped `stamp_ms` (its HLC's milliseconds),
  // read at `now_ms` by this machine's clock during sync number `sync`; `live`: the record
  // arrived in a poll after this mount's first sync of the room (not history). Returns the
  // finding when this record makes its writer newly far off. Rules:
  //  1. a stamp more than kMaxClockLeadMs ahead of now: the writer's clock is ahead by at
  //     least the difference (nothing but a clock can put a stamp in the future);
  //  2. live records that lag now by more than kMaxClockLeadMs in at least two different
  //     syncs: the writer's clock is behind by the smallest lag seen (a single late batch
  //     may be messages queued while its writer was offline, and delivery only adds lag);
  //  3. a live record within the bound again clears the writer (its clock was set right);
  //     it is reported anew if it goes off again.
  std::optional<Finding> note(const Id128& writer, std::string_view nick, std::int64_t stamp_ms,
                              std::int64_t now_ms, bool live, std::uint64_t sync);

  // Writers currently far off, by writer id.
  std::vector<Finding> far_off() const;
  // Changes whenever far_off() would change (a writer flagged or cleared).
  std::uint64_t generation() const { return generation_; }

 private:
  struct Writer {
    std::string nick;
    std::int64_t min_lag = 0;     // smallest lag of live records beyond the bound
    std::uint64_t lag_sync = 0;   // the sync that saw the first of them
    bool lag_in_two_syncs = false;
    bool flagged = false;
    std::int64_t offset = 0;
  };
  std::map<Id128, Writer> writers_;
  std::uint64_t generation_ = 0;
};

// "2 h 5 min", "4 min 10 s", "75 s": an offset for people.
std::string describe_offset(std::int64_t ms);

}  // namespace ftpchat
