// How often the background poller looks at a room: fast while the room is in use, slower the
// longer it has been quiet, so an idle mount costs the server almost nothing.
// Rules:
//  1. "activity" is a message received or sent, or a read of ROOM/log: for `hold` after it,
//     the room is polled every `fast` (-o poll=MS);
//  2. after that the interval doubles every `step` of further quiet, up to a cap;
//  3. the cap is `watched_cap` while someone watches the log's size (tail -f, less +F stat it
//     every second), else `idle_cap`; opening the log always syncs first, so an unwatched
//     room loses no freshness by being polled rarely;
//  4. never faster than `fast`: a poll=MS above a cap makes the interval fixed.
#pragma once

#include <chrono>

namespace ftpchat {

struct PollPolicy {
  using ms = std::chrono::milliseconds;
  ms fast{250};
  ms hold{30000};
  ms step{5000};
  ms watched_cap{3000};
  ms idle_cap{5000};

  // Time until the next poll, given how long the room has been quiet and whether its log's
  // size is being watched.
  ms interval(ms quiet, bool watched) const;
};

}  // namespace ftpchat
