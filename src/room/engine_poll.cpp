// ChatEngine, the poller: which room to sync when (room/poll_policy.hpp), and the rooms
// whose log is being opened (sync_soon) first.
#include <map>

#include "ftpchat/room/chat_engine.hpp"
#include "ftpchat/room/poll_policy.hpp"

namespace ftpchat {

using Clock = std::chrono::steady_clock;

// Each room is polled on its own schedule (PollPolicy): fast while messages flow or its log
// is read, backing off when quiet. A room's activity is a change in what it received, sent
// or has pending, or a read of its log; a stat of its log within the last few seconds means
// someone watches it (tail -f).
void ChatEngine::poll_loop() {
  constexpr auto kRoomListEvery = std::chrono::seconds(30);
  constexpr auto kWatchedWithin = std::chrono::seconds(3);
  PollPolicy policy;
  policy.fast = config_.poll;
  constexpr auto kReconsiderEvery = std::chrono::seconds(1);  // notice new readers this fast
  struct Schedule {
    Clock::time_point polled{};
    Clock::time_point active{};
    std::uint64_t seen = 0;  // received + sent + pending at the last poll
  };
  auto due = [&](const Room& room, Schedule& s, Clock::time_point now) {
    s.active = std::max(s.active, room.last_log_read());
    const bool watched = now - room.last_log_stat() < kWatchedWithin;
    return s.polled + policy.interval(
                          std::chrono::duration_cast<std::chrono::milliseconds>(now - s.active),
                          watched);
  };
  std::map<std::string, Schedule> schedules;     // by folder
  std::map<std::string, std::string> reported;  // folder -> last error logged
  Clock::time_point wake = Clock::now() + policy.fast;
  for (;;) {
    std::set<std::string> wanted;  // rooms whose log is being opened: due now
    {
      std::unique_lock lock(poll_mu_);
      poll_cv_.wait_until(lock, wake, [this] { return stopping_ || !sync_wanted_.empty(); });
      if (stopping_) return;
      wanted.swap(sync_wanted_);
    }
    const Clock::time_point start = Clock::now();
    wake = start + kReconsiderEvery;
    if (list_is_older_than(kRoomListEvery)) {
      if (auto refreshed = refresh(); !refreshed)
        log_.warning("cannot list rooms: " + describe(refreshed.error()));
    }
    std::vector<RoomEntry> entries;
    {
      std::lock_guard lock(rooms_mu_);
      entries = entries_locked();
    }
    for (const RoomEntry& entry : entries) {
      if (!entry.room) continue;
      entry.room->save_seen();  // at most every Room::kSeenSaveEvery, when something was read
      entry.room->send_receipt_if_due(start);  // -o receipts: what was read, batched
      auto [it, fresh] = schedules.try_emplace(entry.room->folder());
      Schedule& s = it->second;
      if (fresh) s.active = start;
      if (const auto next = due(*entry.room, s, start);
          !fresh && start < next && !wanted.contains(entry.room->folder())) {
        wake = std::min(wake, next);
        continue;
      }
      auto synced = entry.room->sync();
      const RoomCounters c = entry.room->counters();
      s.polled = Clock::now();
      if (c.received + c.sent + c.pending != s.seen) s.active = s.polled;
      s.seen = c.received + c.sent + c.pending;
      wake = std::min(wake, due(*entry.room, s, s.polled));
      std::string error = synced ? "" : describe(synced.error());
      std::string& last = reported[entry.room->folder()];
      if (error != last) {
        if (error.empty())
          log_.info("room " + entry.room->folder() + ": syncing again");
        else
          log_.warning("room " + entry.room->folder() + ": sync failed: " + error);
        last = error;
      }
    }
  }
}

}  // namespace ftpchat
