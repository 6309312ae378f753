// ChatEngine: room discovery, room creation and the background poller.
#include "ftpchat/room/chat_engine.hpp"

#include <algorithm>
#include <set>

#include "ftpchat/record/header.hpp"
#include "ftpchat/room/poll_policy.hpp"
#include "ftpchat/room/room_layout.hpp"

namespace ftpchat {

using Clock = std::chrono::steady_clock;

namespace {
// Every mount of a mono24 room says this (stderr at mount, then the daemon's log).
const std::string kMono24Warning =
    "room uses the legacy cipher mono24, which hides nothing from anyone who reads the "
    "server (see ftpchat-format(5)): ";

// A dropped connection or a timeout leaves a request's outcome unknown: it may have landed.
bool outcome_unknown(const Error& err) {
  return err.code == Errc::unreachable || err.code == Errc::timeout;
}

// Uploads a new room: its folder, then its header. Rules for a request whose outcome is unknown:
// 1. It is retried once (the transport reconnects).
// 2. mkdir answering "exists" on that retry is our own first MKD: the folder is named by the
//    room id we just drew at random, so nobody else can have made it.
// 3. The header answering "exists" on its retry is read back and accepted only if its bytes
//    are ours; anything else is left alone and reported.
Result<void> upload_new_room(Transport& transport, const std::string& folder,
                             const std::string& header) {
  auto made = transport.make_dir(folder);
  if (!made && outcome_unknown(made.error())) {
    made = transport.make_dir(folder);
    if (!made && made.error().code == Errc::exists) made = Result<void>();
  }
  if (!made) return made;
  const std::string path = layout::join(folder, layout::kHeaderFile);
  auto written = transport.create_file(path, header);
  if (!written && outcome_unknown(written.error())) {
    written = transport.create_file(path, header);
    if (!written && written.error().code == Errc::exists) {
      auto back = transport.read(path, 0);
      if (!back) return back.error();
      if (back.value() != header)
        return make_error(Errc::bad_data, "the header of new room folder " + folder +
                                              " on the server is not the one uploaded; try again");
      written = Result<void>();
    }
  }
  return written;
}
}  // namespace

ChatEngine::ChatEngine(std::unique_ptr<Transport> transport, EngineConfig config,
                       SecretBytes passphrase, Logger& log, const WallClock& wall)
    : config_(std::move(config)),
      transport_(std::move(transport)),
      passphrase_(std::move(passphrase)),
      log_(log),
      wall_(wall),
      clock_(wall),
      sender_([this] { return open_rooms(); }, log) {
  if (!config_.cache_dir.empty())
    cached_ = std::make_unique<CachingTransport>(transport_, config_.cache_dir);
}

ChatEngine::~ChatEngine() { stop_poller(); }

RoomContext ChatEngine::room_context() {
  Transport& rooms_transport = cached_ ? static_cast<Transport&>(*cached_) : transport_;
  return RoomContext{rooms_transport, config_, wall_,      clock_,
                     log_,            [this] { sender_.wake(); }, &transport_};
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

Result<ChatEngine::Slot> ChatEngine::open_folder(const std::string& folder,
                                                  bool missing_header_logged) {
  auto raw = transport_.read(layout::join(folder, layout::kHeaderFile), 0);
  auto unreadable = [&](const Error& err, bool log = true) {
    if (log) log_.warning("room " + folder + " cannot be opened: " + describe(err));
    return Slot{nullptr, describe(err), err.code};
  };
  if (!raw) {
    // No header: a room being created (nothing else there yet, skipped until it appears),
    // or one whose header was deleted (writer files there): unreadable, with the reason.
    if (raw.error().code != Errc::not_found) return raw.error();
    auto listing = transport_.list(folder);
    bool has_writers = false;
    if (listing)
      for (const DirEntry& e : listing.value())
        has_writers |= layout::parse_writer_file(e.name).has_value() ||
                       (e.is_dir && layout::is_period_folder(e.name));
    if (!has_writers) return raw.error();
    Slot slot = unreadable(
        make_error(Errc::bad_data, "the header of room " + folder + " is missing"),
        !missing_header_logged);
    slot.header_missing = true;
    return slot;
  }
  if (raw->size() > kMaxHeaderV2Bytes)
    return unreadable(make_error(Errc::bad_data, "the header of room " + folder + " is too large"));
  auto header = parse_header(raw.value());
  if (!header) return unreadable(header.error());
  if (layout::room_folder(header->room_id) != folder)  // a header copied from another room
    return unreadable(make_error(Errc::bad_data, "the header in folder " + folder +
                                                     " belongs to room " +
                                                     to_hex(header->room_id)));
  if (header->version == 2) return open_member_folder(folder, *header);
  if (!passphrase_available())
    return unreadable(make_error(Errc::invalid_argument,
                                 "room " + folder + " is a passphrase room, and this mount has no "
                                 "passphrase (-o passfile=FILE or FTPCHAT_PASSPHRASE)"));
  auto opened = open_room(header.value(), passphrase_);
  if (!opened) return unreadable(opened.error());
  if (opened->header.suite == Suite::mono24_insecure)
    log_.warning(kMono24Warning + ("'" + opened->name + "'"));
  if (auto valid = validate_room_name(opened->name); !valid)
    return unreadable(make_error(Errc::bad_data, "room " + folder + " has an unusable name"));
  RoomContext ctx = room_context();
  log_.debug("opened room " + folder);
  return Slot{std::make_shared<Room>(std::move(opened.value()), folder, ctx), "", Errc::internal};
}

bool ChatEngine::passphrase_available() {
  if (!passphrase_.empty()) return true;
  if (!starting_ || asked_ || !config_.ask_passphrase) return false;
  asked_ = true;
  auto typed = config_.ask_passphrase();
  if (!typed) {
    log_.warning("passphrase rooms stay unreadable: " + describe(typed.error()));
    return false;
  }
  passphrase_ = std::move(typed.value());
  return !passphrase_.empty();
}

// A member room opens with the identity (grant in the header, or in keys/ for a later
// invitee); a room it is not a member of stays listed as unreadable and is tried again now
// and then (refresh_locked), so an invitation shows up while mounted.
Result<ChatEngine::Slot> ChatEngine::open_member_folder(const std::string& folder,
                                                        const RoomHeader& header) {
  const auto now = Clock::now();
  if (!config_.identity)
    return Slot{nullptr,
                "room " + folder + " is a member room, and this mount has no identity "
                "(create one with ftpchat id new, or give -o chatid=FILE)",
                Errc::not_member, now};
  auto member = MemberRoom::open(transport_, folder, header, config_.identity);
  if (!member) {
    const Errc code = member.error().code;
    if (code == Errc::not_member) {
      log_.debug("room " + folder + ": " + describe(member.error()));
      return Slot{nullptr, describe(member.error()), code, now};
    }
    if (code != Errc::bad_data) return member.error();  // the server: try again later
    log_.warning("room " + folder + " cannot be opened: " + describe(member.error()));
    return Slot{nullptr, describe(member.error()), code, now};
  }
  OpenedRoom opened{header, (*member)->genesis().room_name, nullptr};
  log_.debug("opened member room " + folder);
  return Slot{std::make_shared<Room>(std::move(opened), folder, room_context(), std::move(*member)),
              "", Errc::internal, now};
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
    auto slot = open_folder(folder, it != known.end());  // logged when first seen
    if (!slot) {
      if (slot.error().code != Errc::not_found) return slot.error();
      continue;
    }
    next.emplace(folder, std::move(slot.value()));
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

Result<void> ChatEngine::create_room(std::string_view name) {
  if (auto valid = validate_room_name(name); !valid) return valid;
  {
    std::lock_guard lock(refresh_mu_);
    if (passphrase_.empty()) {
      if (!config_.identity)
        return make_error(Errc::invalid_argument,
                          "this mount has neither a passphrase nor an identity to make a room with");
    } else {
      auto opened = ftpchat::create_room(name, passphrase_, config_.room_suite, default_kdf_params());
      if (!opened) return opened.error();
      const std::string folder = layout::room_folder(opened->header.room_id);
      const std::string header = opened->header.raw;
      if (config_.room_suite == Suite::mono24_insecure)
        log_.warning(kMono24Warning + ("'" + std::string(name) + "'"));
      return upload_and_add(name, folder, header, std::move(opened.value()), nullptr);
    }
  }
  return create_member_room(name, {});
}

Result<void> ChatEngine::create_member_room(std::string_view name,
                                            const std::vector<GenesisMember>& members) {
  if (!config_.identity)
    return make_error(Errc::invalid_argument,
                      "a member room needs your identity: create one with ftpchat id new");
  if (auto valid = validate_room_name(name); !valid) return valid;
  if (auto valid = validate_member_name(config_.nick); !valid)
    return make_error(Errc::invalid_argument, "your name in the room ('" + config_.nick +
                                                  "'): " + valid.error().detail +
                                                  "; choose another nick");
  std::lock_guard lock(refresh_mu_);
  auto made = ftpchat::create_member_room(name, *config_.identity, config_.nick, members,
                                          clock_.tick());
  if (!made) return made.error();
  auto header = parse_header(made->header);
  if (!header) return header.error();
  const std::string folder = layout::room_folder(made->room_id);
  // Opened from the header as every reader opens it (the owner's slot: no request).
  auto member = MemberRoom::open(transport_, folder, *header, config_.identity);
  if (!member) return member.error();
  OpenedRoom opened{*header, std::string(name), nullptr};
  return upload_and_add(name, folder, made->header, std::move(opened), std::move(*member));
}

Result<void> ChatEngine::upload_and_add(std::string_view name, const std::string& folder,
                                        const std::string& header, OpenedRoom opened,
                                        std::unique_ptr<MemberRoom> member) {
  if (auto listed = refresh_locked(); !listed) return listed;
  {
    std::lock_guard rooms(rooms_mu_);
    for (const auto& [f, slot] : slots_)
      if (slot.room && slot.room->name() == name)
        return make_error(Errc::exists, "room '" + std::string(name) + "' already exists");
  }
  if (auto uploaded = upload_new_room(transport_, folder, header); !uploaded) return uploaded;
  std::lock_guard rooms(rooms_mu_);
  slots_[folder] = Slot{std::make_shared<Room>(std::move(opened), folder, room_context(),
                                               std::move(member)),
                        "", Errc::internal};
  log_.info(std::string(slots_[folder].room->member() ? "created member room " : "created room ") +
            folder);
  return {};
}

void ChatEngine::start_poller() {
  std::lock_guard lock(poll_mu_);
  if (poller_.joinable()) return;
  stopping_ = false;
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
