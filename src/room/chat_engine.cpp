// ChatEngine: the room list (discovery, display names, refreshes for FUSE callers) and the
// engine's threads. Opening rooms: engine_open.cpp; creating them: engine_create.cpp; the
// poller's schedule: engine_poll.cpp.
#include "ftpchat/room/chat_engine.hpp"

#include <algorithm>
#include <set>
#include <thread>

#include "ftpchat/room/room_layout.hpp"
#include "ftpchat/room/worker_threads.hpp"

namespace ftpchat {

using Clock = std::chrono::steady_clock;

ChatEngine::ChatEngine(std::unique_ptr<Transport> transport, EngineConfig config,
                       SecretBytes passphrase, Logger& log, const WallClock& wall,
                       TransportFactory more)
    : config_(std::move(config)),
      transport_(std::move(transport), std::move(more), config_.connections, log),
      passphrase_(std::move(passphrase)),
      log_(log),
      wall_(wall),
      clock_(wall),
      kdf_slots_(static_cast<std::ptrdiff_t>(
          std::clamp(std::thread::hardware_concurrency(), 1u, 256u))),
      sender_([this] { return open_rooms(); }, log) {
  if (!config_.cache_dir.empty()) {
    cached_ = std::make_unique<CachingTransport>(transport_, config_.cache_dir);
    headers_ = std::make_unique<HeaderCache>(cached_->root());
  }
}

ChatEngine::~ChatEngine() { stop_poller(); }

RoomContext ChatEngine::room_context() {
  Transport& rooms_transport = cached_ ? static_cast<Transport&>(*cached_) : transport_;
  return RoomContext{.transport = rooms_transport,
                     .config = config_,
                     .wall = wall_,
                     .clock = clock_,
                     .log = log_,
                     .wake_sender = [this] { sender_.wake(); },
                     .server_answered = [this] { sender_.server_answered(); },
                     .connection = &transport_,
                     .cache = cached_.get(),
                     .headers = headers_.get()};
}

std::vector<std::shared_ptr<Room>> ChatEngine::open_rooms() const {
  std::lock_guard lock(rooms_mu_);
  std::vector<std::shared_ptr<Room>> out;
  for (const auto& [folder, slot] : slots_)
    if (slot.room) out.push_back(slot.room);
  return out;
}

Result<void> ChatEngine::start() {
  {
    std::lock_guard lock(refresh_mu_);
    starting_ = true;
    auto listed = refresh_locked();
    if (!listed && on_the_way(listed.error().code)) {  // a connection cut on the way: once more
      log_.info("listing the rooms failed (" + describe(listed.error()) + "); trying again");
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      listed = refresh_locked();
    }
    starting_ = false;
    if (!listed) return listed;
  }
  std::lock_guard lock(rooms_mu_);
  std::size_t readable = 0, wrong_passphrase = 0;
  for (const auto& [folder, slot] : slots_) {
    if (slot.room) {
      ++readable;
      continue;
    }
    if (slot.reason_code == Errc::wrong_passphrase) ++wrong_passphrase;
  }
  if (readable == 0 && wrong_passphrase > 0)
    return make_error(Errc::wrong_passphrase,
                      "the passphrase opens none of the " + std::to_string(slots_.size()) +
                          " room(s) at " + transport_.display_url());
  return {};
}

Result<void> ChatEngine::refresh() {
  std::lock_guard lock(refresh_mu_);
  return refresh_locked();
}

// Rooms are the base directory's sub-folders named by a room id. A folder whose header
// is not there yet is being created by someone: it is skipped until the next refresh. One
// with writer files but no header is unreadable, and looked at again at each refresh: a
// folder-sync tool may bring the header after the writer files (Syncthing creates the
// folders of a pull, 2026-11/ among them, before the files).
Result<void> ChatEngine::refresh_locked() {
  auto listing = transport_.list("");
  if (!listing) return listing.error();
  std::set<std::string> present;
  for (const DirEntry& entry : listing.value())
    if (entry.is_dir && layout::is_room_folder(entry.name)) present.insert(entry.name);

  std::map<std::string, Slot> known;
  {
    std::lock_guard lock(rooms_mu_);
    known = slots_;
  }
  std::map<std::string, Slot> next;
  constexpr auto kProbeEvery = std::chrono::seconds(5);  // an invitation shows this fast
  std::vector<std::pair<std::string, bool>> to_open;  // folder, seen before
  for (const std::string& folder : present) {
    const auto it = known.find(folder);
    if (it != known.end() && !it->second.header_missing) {
      const Slot& slot = it->second;
      const bool probe = !slot.room && slot.reason_code == Errc::not_member && config_.identity &&
                         Clock::now() - slot.probed > kProbeEvery;
      if (!probe) {
        next.emplace(folder, slot);
        continue;
      }
    }
    to_open.emplace_back(folder, it != known.end());
  }
  // In parallel: headers over the pool's reading connections while other rooms' keys are
  // derived on the cores (engine_open.cpp).
  std::vector<std::optional<Result<Slot>>> opened(to_open.size());
  const std::size_t threads =
      transport_.max_readers() + std::max(1u, std::thread::hardware_concurrency());
  run_parallel(to_open.size(), threads, [&](std::size_t i) {
    opened[i] = open_folder(to_open[i].first, to_open[i].second);  // logged when first seen
    if (!*opened[i] && on_the_way(opened[i]->error().code))  // a read cut short: once more
      opened[i] = open_folder(to_open[i].first, to_open[i].second);
  });
  for (std::size_t i = 0; i < to_open.size(); ++i) {
    Result<Slot>& slot = *opened[i];
    if (!slot) {
      if (slot.error().code != Errc::not_found) return slot.error();
      continue;
    }
    next.emplace(to_open[i].first, std::move(slot.value()));
  }
  std::lock_guard lock(rooms_mu_);
  slots_ = std::move(next);
  refreshed_ = Clock::now();
  return {};
}

// Display names: a room's own name; when two rooms share a name, the ones after the first
// (in folder order, so every client agrees) get "~" and the first 8 hex digits of their id.
std::vector<RoomEntry> ChatEngine::entries_locked() const {
  std::vector<RoomEntry> out;
  std::set<std::string> used{std::string(kRootFileName)};  // a room of that name gets a suffix
  for (const auto& [folder, slot] : slots_) {
    std::string name = slot.room ? slot.room->name() : folder;
    if (!used.insert(name).second) name += "~" + folder.substr(0, 8);
    out.push_back(RoomEntry{name, slot.room, slot.reason, slot.reason_code});
  }
  return out;
}

std::string ChatEngine::unread_summary() {
  // Rooms made elsewhere show up from a later read on: a refresh is asked for, not waited for.
  constexpr std::chrono::seconds kListAge{5};
  if (list_is_older_than(kListAge)) {
    std::lock_guard lock(poll_mu_);
    if (refresher_.joinable()) {
      refresh_wanted_ = true;
      poll_cv_.notify_all();
    }
  }
  std::vector<RoomEntry> entries;
  {
    std::lock_guard lock(rooms_mu_);
    entries = entries_locked();
  }
  std::sort(entries.begin(), entries.end(),
            [](const RoomEntry& a, const RoomEntry& b) { return a.name < b.name; });
  std::string out;
  for (const RoomEntry& entry : entries)
    if (entry.room)
      if (const std::uint64_t n = entry.room->unread(); n > 0)
        out += std::to_string(n) + " " + entry.name + "\n";
  return out;
}

bool ChatEngine::list_is_older_than(std::chrono::milliseconds max_age) const {
  std::lock_guard lock(rooms_mu_);
  return Clock::now() - refreshed_ > max_age;
}

void ChatEngine::refresh_if_stale(std::chrono::milliseconds max_age) {
  if (!list_is_older_than(max_age)) return;
  std::unique_lock lock(poll_mu_);
  if (!refresher_.joinable()) {
    lock.unlock();
    if (auto refreshed = refresh(); !refreshed)
      log_.warning("cannot list rooms: " + describe(refreshed.error()));
    return;
  }
  // A refresh already running may have listed before the change we look for: wait for the
  // next one to start, as long as patience allows.
  const std::uint64_t target = refreshes_started_ + 1;
  refresh_wanted_ = true;
  poll_cv_.notify_all();
  poll_cv_.wait_for(lock, kListPatience, [&] { return stopping_ || refreshes_done_ >= target; });
}

void ChatEngine::refresh_loop() {
  for (;;) {
    {
      std::unique_lock lock(poll_mu_);
      poll_cv_.wait(lock, [this] { return stopping_ || refresh_wanted_; });
      if (stopping_) return;
      refresh_wanted_ = false;
      ++refreshes_started_;
    }
    if (auto refreshed = refresh(); !refreshed)
      log_.warning("cannot list rooms: " + describe(refreshed.error()));
    {
      std::lock_guard lock(poll_mu_);
      ++refreshes_done_;
    }
    poll_cv_.notify_all();
  }
}

void ChatEngine::sync_soon(const std::shared_ptr<Room>& room, std::chrono::milliseconds patience) {
  const std::uint64_t seen = room->syncs_finished();
  {
    std::unique_lock lock(poll_mu_);
    if (!poller_.joinable()) {
      lock.unlock();
      (void)room->sync();  // no poller yet: here, as it was
      return;
    }
    sync_wanted_.insert(room->folder());
  }
  poll_cv_.notify_all();
  (void)room->wait_sync_after(seen, patience);
}

std::vector<RoomEntry> ChatEngine::rooms(std::chrono::milliseconds max_age) {
  refresh_if_stale(max_age);
  std::lock_guard lock(rooms_mu_);
  return entries_locked();
}

std::optional<RoomEntry> ChatEngine::find(std::string_view name, std::chrono::milliseconds max_age) {
  auto lookup = [&]() -> std::optional<RoomEntry> {
    std::lock_guard lock(rooms_mu_);
    for (RoomEntry& entry : entries_locked())
      if (entry.name == name) return entry;
    return std::nullopt;
  };
  if (auto hit = lookup()) return hit;
  if (!list_is_older_than(max_age)) return std::nullopt;
  refresh_if_stale(max_age);
  return lookup();
}

void ChatEngine::start_poller() {
  std::lock_guard lock(poll_mu_);
  if (poller_.joinable()) return;
  stopping_ = false;
  syncs_done_.clear();
  poller_ = std::thread([this] { poll_loop(); });
  refresher_ = std::thread([this] { refresh_loop(); });
  sender_.start();
}

void ChatEngine::stop_poller() {
  {
    std::lock_guard lock(poll_mu_);
    stopping_ = true;
  }
  poll_cv_.notify_all();
  if (poller_.joinable()) poller_.join();
  if (refresher_.joinable()) refresher_.join();
  sender_.stop();
  for (const auto& room : open_rooms()) room->save_seen(true);  // what was read this session
}

}  // namespace ftpchat
