// Room: incremental fetch of writer files, ordering of new messages, and what the room does
// with hostile or broken data on the server. Sending lives in room_sender.cpp.
#include "ftpchat/room/room.hpp"

#include <algorithm>

#include "ftpchat/record/render.hpp"
#include "ftpchat/record/render_json.hpp"
#include "ftpchat/room/fresh_merge.hpp"
#include "ftpchat/room/room_layout.hpp"
#include "sync_tally.hpp"

namespace ftpchat {

namespace {
// The pinned header is compared byte for byte at least this often (in syncs), and at once
// whenever its size in a listing of the room folder (a full sync) changes.
constexpr unsigned kHeaderCheckEvery = 30;

std::string short_id(const Id128& id) { return to_hex(id).substr(0, 8); }
}  // namespace

Room::Room(OpenedRoom opened, std::string folder, RoomContext ctx,
           std::unique_ptr<MemberRoom> member)
    : opened_(std::move(opened)),
      folder_(std::move(folder)),
      ctx_(std::move(ctx)),
      member_(std::move(member)),
      v1_keys_(opened_.cipher ? std::optional<V1Keys>(std::in_place, *opened_.cipher)
                              : std::nullopt) {
  // The daemon's log has the warning too, but nobody reads it once the mount is in the
  // background: the room's readers must see it where they read.
  if (opened_.header.suite == Suite::mono24_insecure) {
    log_.append(render_notice(ctx_.wall.now_ms(),
                              "this room uses the legacy cipher mono24, which is NOT SECURE: "
                              "anyone who can read the server's files can read these messages "
                              "(ftpchat-format(5)); use a room with the default cipher"));
    counters_.notices = 1;
  }
}

CursorKeys Room::cursor_keys(const Id128& writer) {
  const RecordKeys& keys = member_ ? static_cast<const RecordKeys&>(member_->keys())
                                   : static_cast<const RecordKeys&>(*v1_keys_);
  return CursorKeys{keys, opened_.header.room_id, &writer_seqs_[writer], &writer_signers_[writer],
                    member_ ? member_->unreadable() : nullptr};
}

std::uint64_t Room::log_size() const {
  last_stat_ = std::chrono::steady_clock::now().time_since_epoch().count();
  std::lock_guard lock(state_mu_);
  return log_.size();
}

std::uint64_t Room::jsonl_size() const {
  std::lock_guard lock(state_mu_);
  return jsonl_.size();
}

std::string Room::read_jsonl(std::uint64_t offset, std::size_t length, bool peek) {
  std::lock_guard lock(state_mu_);
  std::string data = jsonl_.read(offset, length);
  if (!peek && !data.empty()) seen_.read_jsonl_to(offset + data.size());
  return data;
}

std::string Room::read_log(std::uint64_t offset, std::size_t length, bool peek) {
  last_read_ = std::chrono::steady_clock::now().time_since_epoch().count();
  std::lock_guard lock(state_mu_);
  std::string data = log_.read(offset, length);
  if (!peek && !data.empty()) seen_.read_log_to(offset + data.size());
  return data;
}

RoomCounters Room::counters() const {
  std::lock_guard out(out_mu_);
  std::lock_guard lock(state_mu_);
  RoomCounters c = counters_;
  c.pending = spool_ ? spool_->pending_count() : 0;
  c.acked = spool_ ? spool_->acked() : 0;
  c.sent_recent.assign(sent_recent_.begin(), sent_recent_.end());
  c.writer = own_ ? to_hex(own_->id()) : "";
  return c;
}

void Room::note_sync_result(const std::optional<Error>& err) {
  bool sends_failing = false;
  {
    std::lock_guard lock(state_mu_);
    if (err) {
      counters_.sync_error = describe(*err);
      return;
    }
    counters_.sync_error.clear();
    counters_.last_sync_ms = ctx_.wall.now_ms();
    // Only when uploads failed for want of the server: one that answers a listing but
    // refuses uploads (a full disk) keeps the sender's backoff.
    sends_failing = counters_.send_failures > 0 && counters_.send_unreachable;
  }
  if (sends_failing && ctx_.server_answered) ctx_.server_answered();
}

void Room::note_send_result(const std::optional<Error>& err) {
  std::lock_guard lock(state_mu_);
  if (!err) {
    counters_.send_error.clear();
    counters_.send_failures = 0;
    counters_.send_failing_since_ms = 0;
    return;
  }
  counters_.send_error = describe(*err);
  counters_.send_unreachable = on_the_way(err->code);
  if (counters_.send_failures++ == 0) counters_.send_failing_since_ms = ctx_.wall.now_ms();
}

// The local error clears only when nothing local is still failing: a refused append waits
// for space (check_spool_space_locked), an acked file behind for its write.
void Room::note_local_result_locked(const std::optional<Error>& err) {
  if (!err && (spool_refused_ || (spool_ && spool_->ack_file_behind()))) return;
  std::string now = err ? describe(*err) : "";
  {
    std::lock_guard lock(state_mu_);
    if (now == counters_.local_error) return;
    counters_.local_error = now;
  }
  if (err)
    ctx_.log.warning("room " + folder_ + ": " + now);
  else
    ctx_.log.info("room " + folder_ + ": the state folder can be written again");
}

std::string Room::writer_path(const Id128& writer) {
  // A failure to make the folder shows as the append's failure, which is retried.
  (void)choose_append_period_locked();
  const std::string dir = own_period_.empty() ? folder_ : layout::join(folder_, own_period_);
  return layout::join(dir, layout::writer_file(writer));
}

// Notices are rate-limited: one per kind and writer file until that file reads cleanly
// again (the reset happens in sync_locked).
void Room::add_notice(const std::string& file, Notice kind, const std::string& text) {
  if (!noticed_[file].insert(kind).second) {
    ctx_.log.warning("room " + folder_ + ": " + text);
    return;
  }
  append_notice(text);
}

void Room::append_notice(const std::string& text) {
  ctx_.log.warning("room " + folder_ + ": " + text);
  std::lock_guard lock(state_mu_);
  log_.append(render_notice(ctx_.wall.now_ms(), text));
  ++counters_.notices;
}

// docs/FORMAT.md, "Stamps and clocks": a stamp far ahead of our clock is not adopted (one
// member's wrong clock must not move everyone's times), and its writer is pointed out once.
void Room::note_remote_stamp(const Message& msg, bool live) {
  (void)ctx_.clock.observe(msg.stamp);
  const std::int64_t now = ctx_.wall.now_ms();
  const std::uint64_t before = clocks_.generation();
  auto found = clocks_.note(msg.writer, msg.nick, HybridClock::millis(msg.stamp), now, live,
                            sync_number_);
  if (clocks_.generation() != before) {  // rarely: not once per record of a big first sync
    std::lock_guard lock(state_mu_);
    counters_.clocks_off = clocks_.far_off();
  }
  if (!found) return;
  const bool ahead = found->offset_ms > 0;
  append_notice("the clock of " + escape_text(found->nick) + " (writer " +
                short_id(found->writer) + ") is " + describe_offset(found->offset_ms) +
                (ahead ? " ahead of" : " behind") +
                " this machine's: their messages show their own clock's time and may not sort "
                "after what they answer (or this machine's clock is " +
                (ahead ? "behind" : "ahead") + "); setting the clock right (NTP) fixes it");
}

Result<void> Room::sync() {
  Result<void> result;
  {
    std::lock_guard lock(net_mu_);
    result = sync_locked();
  }
  {
    std::lock_guard lock(sync_wait_mu_);
    ++syncs_finished_;
  }
  sync_cv_.notify_all();
  if (result && member_) rekey_if_needed();
  return result;
}

// The first sync (always a full one) checks the header's presence and size in its listing;
// the second reads it and compares the bytes. So a warm mount's first `cat log` waits for no
// header read; a header replaced by one of the same size shows first as records that fail to
// authenticate under the kept key, then turns the room read-only one poll later.
void Room::check_header_first() {
  std::lock_guard lock(net_mu_);
  syncs_since_header_check_ = kHeaderCheckEvery - 2;
}

bool Room::wait_sync_after(std::uint64_t seen, std::chrono::milliseconds patience) const {
  std::unique_lock lock(sync_wait_mu_);
  return sync_cv_.wait_for(lock, patience, [&] { return syncs_finished_.load() > seen; });
}

// The header is immutable and pinned (docs/FORMAT.md): when it changes size, disappears (a
// listing without it is confirmed by reading it), or (checked now and then) differs byte for
// byte from the one this mount opened, the room turns read-only and keeps what it showed. It
// never switches to another key.
// Returns false when the room is (now) read-only.
bool Room::check_header_locked(const std::vector<DirEntry>& listing) {
  {
    std::lock_guard lock(state_mu_);
    if (!counters_.read_only_reason.empty()) return false;
  }
  const DirEntry* header = nullptr;
  for (const DirEntry& e : listing)
    if (!e.is_dir && e.name == layout::kHeaderFile) header = &e;
  // A read of the header that ended early (a connection cut mid-transfer can look like a
  // short file) tells nothing: only other bytes, or none at all, do.
  const auto differs = [&](const std::string& raw) {
    return raw != opened_.header.raw &&
           !(raw.size() < opened_.header.raw.size() && opened_.header.raw.starts_with(raw));
  };
  std::string reason;
  if (header == nullptr) {  // confirmed by a read: a listing cut short must not end the room
    auto raw = ctx_.transport.read(layout::join(folder_, layout::kHeaderFile), 0);
    if (!raw && raw.error().code == Errc::not_found)
      reason = "the room header disappeared from the server";
    else if (raw && differs(raw.value()))
      reason = "the room header was replaced on the server";
  } else if (header->size && *header->size != opened_.header.raw.size()) {
    reason = "the room header was replaced on the server";
  } else if (++syncs_since_header_check_ >= kHeaderCheckEvery || !header->size) {
    auto raw = ctx_.transport.read(layout::join(folder_, layout::kHeaderFile), 0);
    if (!raw || (raw.value() != opened_.header.raw && !differs(raw.value())))
      return true;  // cannot tell now; try again next time
    syncs_since_header_check_ = 0;
    if (differs(raw.value())) reason = "the room header was replaced on the server";
  }
  if (reason.empty()) return true;
  if (ctx_.headers) ctx_.headers->forget(folder_);  // the next mount reads the server's
  const std::string text = reason + "; refusing it: the room is read-only from now on (shown: what arrived before)";
  add_notice(std::string(layout::kHeaderFile), Notice::rewritten, text);
  std::lock_guard lock(state_mu_);
  counters_.read_only_reason = reason;
  return false;
}

// One poll of the room:
//  1. one listing gives every writer file's size (and the header's, which is pinned);
//  2. only bytes past each cursor are fetched (REST + RETR), plus the last few bytes
//     already consumed, which must not have changed; the bytes are decoded as they arrive,
//     so memory does not grow with a file's size;
//  3. a file that shrank or whose prefix changed is frozen with a notice;
//  4. the new messages of all writers are merged by (stamp, writer id) and appended to the
//     log (room/fresh_merge.hpp); each writer's own order is kept.
Result<void> Room::sync_locked() {
  if (sync_number_ == 0) load_seen_locked();
  ++sync_number_;
  const std::int64_t now = ctx_.wall.now_ms();
  // The header is listed (and its size checked) in full syncs: make every 30th one full.
  const bool full = full_sync_due(now) || syncs_since_header_check_ + 1 >= kHeaderCheckEvery;
  if (!full) ++syncs_since_header_check_;
  struct Found {
    std::string path;  // in the room folder: "<writer>.w" or "<period>/<writer>.w"
    DirEntry entry;
  };
  std::vector<Found> files;
  std::optional<Error> list_error;
  std::optional<Id128> own_id;
  {
    std::lock_guard out(out_mu_);
    if (own_) own_id = own_->id();
  }
  if (full) {
    auto listing = ctx_.transport.list(folder_);
    if (!listing) {
      note_sync_result(listing.error());
      return listing.error();
    }
    if (!check_header_locked(listing.value())) {
      std::lock_guard lock(state_mu_);
      return make_error(Errc::bad_data, "room " + folder_ + " is read-only: " +
                                            counters_.read_only_reason);
    }
    note_listing_locked(listing.value(), now);
    if (own_id) note_own_listing_locked("", listing.value(), *own_id);
    for (const DirEntry& e : listing.value())
      if (!e.is_dir && layout::parse_writer_file(e.name)) files.push_back({e.name, e});
  }
  for (const std::string& period : periods_to_list(full, now)) {
    auto listing = ctx_.transport.list(layout::join(folder_, period));
    if (!listing) {
      if (!list_error) list_error = listing.error();
      continue;
    }
    if (own_id) note_own_listing_locked(period, listing.value(), *own_id);
    for (const DirEntry& e : listing.value())
      if (!e.is_dir && layout::parse_writer_file(e.name))
        files.push_back({layout::join(period, e.name), e});
  }
  FreshMerge fresh;
  SyncTally tally;
  tally.first_error = list_error;
  bool root_grew = false;
  for (const Found& found : files) {
    const Id128 writer = *layout::parse_writer_file(found.entry.name);
    const bool own_file = own_id && *own_id == writer;
    auto [it, _] = cursors_.try_emplace(found.path, writer);
    WriterCursor& cursor = it->second;
    if (cursor.frozen()) continue;
    if (found.entry.size) {
      if (*found.entry.size == cursor.offset()) {
        if (own_file) note_own_read_locked(found.path, found.entry, cursor, FetchEnd::read);
        continue;
      }
      if (*found.entry.size < cursor.offset() && !restart_own_cursor_locked(found.path, cursor)) {
        cursor.freeze();
        add_notice(found.path, Notice::shrank,
                   "the file of writer " + short_id(writer) + " shrank on the server (from " +
                       std::to_string(cursor.offset()) + " to " +
                       std::to_string(*found.entry.size) +
                       " bytes): its history was cut; ignoring that file from now on");
        continue;
      }
    }
    root_grew |= synced_once_ && found.path == found.entry.name;
    FetchEnd end = fetch_writer_file(found.path, cursor, own_file, fresh, tally);
    if (end == FetchEnd::restart && restart_own_cursor_locked(found.path, cursor))
      end = fetch_writer_file(found.path, cursor, own_file, fresh, tally);
    if (own_file) note_own_read_locked(found.path, found.entry, cursor, end);
  }
  if (full) root_writers_active_ = root_grew;
  if (member_) finish_member_fetch_locked(full || !synced_once_, fresh, tally);
  if (own_id) {
    // 0 when none of our files is there yet: nothing of ours is on the server.
    const auto own = writer_seqs_.find(*own_id);
    note_own_progress(own == writer_seqs_.end() ? 0 : own->second.highest());
  }
  synced_once_ = true;
  drain_locked(fresh, tally);
  note_sync_result(tally.first_error);
  if (tally.first_error) return *tally.first_error;
  receipts_ready_ = true;  // our own earlier receipts have been read back
  return {};
}

void Room::drain_locked(FreshMerge& fresh, SyncTally& tally) {
  std::uint64_t received = fresh.count();
  if (member_) {
    received = drain_member_merge(fresh, tally);  // judged there (room_member.cpp)
  } else {
    append_fresh(fresh);
  }
  std::lock_guard lock(state_mu_);
  counters_.received += received;
  counters_.unreadable += tally.totals.unreadable;
  counters_.rejected += tally.totals.rejected;
  counters_.duplicates += tally.totals.duplicates;
  counters_.missing += tally.totals.missing;
  counters_.bytes_fetched += tally.fetched;
}

// Reads one writer file from its cursor on, decoding each piece as it arrives: the first
// bytes must repeat the cursor's tail (else the file was rewritten and is frozen), the rest
// goes through the cursor's reading rules into `fresh` as a stream of its own.
Room::FetchEnd Room::fetch_writer_file(const std::string& path, WriterCursor& cursor,
                                       bool own_file, FreshMerge& fresh, SyncTally& tally,
                                       const std::string_view* local) {
  const std::string who = short_id(cursor.writer());
  const std::string expected = local ? std::string() : cursor.tail();
  std::string head;
  bool verified = expected.empty();
  bool rewritten = false;
  IngestResult got;
  std::uint64_t accepted = 0;
  fresh.begin_stream();
  const auto take = [&](IngestResult part) {
    got.rejected += part.rejected;
    got.duplicates += part.duplicates;
    got.missing += part.missing;
    got.unreadable += part.unreadable;
    if (!part.reason.empty()) got.reason = part.reason;
    for (VerifiedRecord& v : part.verified) {
      ++accepted;
      take_verified(v, own_file, fresh, tally);
    }
    for (const Message& msg : part.accepted) {
      ++accepted;
      if (own_file) {
        (void)ctx_.clock.observe(msg.stamp);
        std::lock_guard out(out_mu_);
        if (echoed_.erase(msg.seq) > 0) continue;  // rendered when it was spooled
      } else {
        note_remote_stamp(msg, synced_once_);
      }
      std::uint64_t& floor = tally.order_floor[msg.writer];
      floor = std::max(floor, msg.stamp);
      fresh.add(floor, msg.writer, msg.seq, render_message(msg), render_json(msg));
    }
  };
  const auto sink = [&](std::string_view piece) {
    if (!local) tally.fetched += piece.size();
    if (!verified) {
      const std::size_t take_now = std::min(piece.size(), expected.size() - head.size());
      head.append(piece.substr(0, take_now));
      piece.remove_prefix(take_now);
      if (head.size() < expected.size()) return true;
      if (head != expected) {
        rewritten = true;
        return false;
      }
      verified = true;
    }
    if (piece.empty()) return true;
    take(cursor.ingest(piece, cursor_keys(cursor.writer())));
    return true;
  };
  Result<void> read;
  if (local)
    (void)sink(*local);
  else
    read = ctx_.transport.read_to(layout::join(folder_, path), cursor.offset() - expected.size(),
                                  sink);
  if (read && !verified) rewritten = true;  // the file ended inside the bytes already read
  if (rewritten && own_file && own_taken_.count(path)) return FetchEnd::restart;
  if (!rewritten) take(cursor.finish(cursor_keys(cursor.writer())));  // the fetch's seals (v2)
  if (rewritten) {
    cursor.freeze();
    add_notice(path, Notice::rewritten,
               "the file of writer " + who +
                   " was rewritten on the server (bytes already read changed); ignoring that "
                   "file from now on");
    return FetchEnd::failed;
  }
  if (!read && !tally.first_error) tally.first_error = read.error();
  tally.totals.rejected += got.rejected;
  tally.totals.duplicates += got.duplicates;
  tally.totals.missing += got.missing;
  tally.totals.unreadable += got.unreadable;
  tally.paths[cursor.writer()] = path;
  auto& seen = noticed_[path];
  if (got.rejected > 0)
    add_notice(path, Notice::rejected,
               std::to_string(got.rejected) + " record(s) from writer " + who +
                   " failed to decode or authenticate (damaged, torn or forged) and were "
                   "skipped" + (got.reason.empty() ? "" : ": " + got.reason));
  else if (accepted > 0)
    seen.erase(Notice::rejected);
  if (got.missing > 0)
    add_notice(path, Notice::missing,
               std::to_string(got.missing) + " message(s) from a writer are missing (writer " +
                   who + "): deleted or lost on the server");
  else if (accepted > 0)
    seen.erase(Notice::missing);
  if (got.duplicates > 0)
    ctx_.log.info("room " + folder_ + ": dropped " + std::to_string(got.duplicates) +
                  " duplicate record(s) from writer " + who);
  return read ? FetchEnd::read : FetchEnd::failed;
}

}  // namespace ftpchat
