// ChatEngine, the poller: which room to sync when (room/poll_policy.hpp), the rooms whose log
// is being opened (sync_soon) first, and syncs run by a few workers at once.
#include <map>

#include "ftpchat/room/chat_engine.hpp"
#include "ftpchat/room/poll_policy.hpp"
#include "ftpchat/room/worker_threads.hpp"

namespace ftpchat {

using Clock = std::chrono::steady_clock;

// Rules:
//  1. each room is polled on its own schedule (PollPolicy): fast while messages flow or its
//     log is read, backing off when quiet. A room's activity is a change in what it received,
//     sent or has pending, or a read of its log; a stat of its log within the last few seconds
//     means someone watches it (tail -f);
//  2. a room's interval counts from the start of its last sync, not its end: a message waits
//     half an interval on average, not half an interval plus a sync;
//  3. as many rooms are synced at once as the connection pool has reading connections; a
//     room is never synced by two workers at once (its order is kept: Room::net_mu_ would
//     serialize them anyway, but a second worker would only wait), and a room whose log is
//     opened while it syncs is synced again right after;
//  4. the poller itself never waits for the network: the room list is refreshed by the
//     refresher thread, syncs by the workers.
void ChatEngine::poll_loop() {
  constexpr auto kRoomListEvery = std::chrono::seconds(30);
  constexpr auto kWatchedWithin = std::chrono::seconds(3);
  PollPolicy policy;
  policy.fast = config_.poll;
  constexpr auto kReconsiderEvery = std::chrono::seconds(1);  // notice new readers this fast
  struct Schedule {
    Clock::time_point polled{};  // when its last sync started
    Clock::time_point active{};
    std::uint64_t seen = 0;  // received + sent + pending at the last poll
    bool running = false;    // a worker has it
    bool again = false;      // wanted while running: sync again when done
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
  const auto sync_on_worker = [this](const std::shared_ptr<Room>& room) {
    auto synced = room->sync();
    const RoomCounters c = room->counters();
    {
      std::lock_guard lock(poll_mu_);
      syncs_done_.push_back(SyncDone{room->folder(), c.received + c.sent + c.pending,
                                     synced ? "" : describe(synced.error())});
    }
    poll_cv_.notify_all();
  };
  WorkerThreads workers(transport_.max_readers());  // rule 3; joined first when leaving
  Clock::time_point wake = Clock::now() + policy.fast;
  for (;;) {
    std::set<std::string> wanted;  // rooms whose log is being opened: due now
    std::vector<SyncDone> done;
    {
      std::unique_lock lock(poll_mu_);
      poll_cv_.wait_until(lock, wake, [this] {
        return stopping_ || !sync_wanted_.empty() || !syncs_done_.empty();
      });
      if (stopping_) return;
      wanted.swap(sync_wanted_);
      done.swap(syncs_done_);
    }
    const Clock::time_point start = Clock::now();
    wake = start + kReconsiderEvery;
    for (const SyncDone& d : done) {
      Schedule& s = schedules[d.folder];
      s.running = false;
      if (d.activity != s.seen) s.active = start;
      s.seen = d.activity;
      std::string& last = reported[d.folder];
      if (d.error != last) {
        if (d.error.empty())
          log_.info("room " + d.folder + ": syncing again");
        else
          log_.warning("room " + d.folder + ": sync failed: " + d.error);
        last = d.error;
      }
    }
    if (list_is_older_than(kRoomListEvery)) {  // rule 4: the refresher lists the rooms
      {
        std::lock_guard lock(poll_mu_);
        refresh_wanted_ = true;
      }
      poll_cv_.notify_all();
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
      const bool wanted_now = wanted.contains(entry.room->folder()) || s.again;
      if (s.running) {
        s.again |= wanted_now;
        continue;
      }
      if (const auto next = due(*entry.room, s, start); !fresh && start < next && !wanted_now) {
        wake = std::min(wake, next);
        continue;
      }
      s.polled = start;  // rule 2
      s.running = true;
      s.again = false;
      workers.post([room = entry.room, &sync_on_worker] { sync_on_worker(room); });
    }
  }
}

}  // namespace ftpchat
