// Room, member-room side (docs/FORMAT.md, "Version 2"): verified records into the sync's merge,
// records that waited for a key, judging at the drain, membership changes and rekeys.
// Passphrase rooms never come here.
#include <chrono>

#include "ftpchat/identity/public_id.hpp"
#include "ftpchat/record/render.hpp"
#include "ftpchat/room/fresh_merge.hpp"
#include "ftpchat/room/room.hpp"
#include "ftpchat/room/room_layout.hpp"
#include "sync_tally.hpp"

namespace ftpchat {

namespace {
// After concurrent membership changes an owner or admin rekeys, tried at most this often.
constexpr auto kRekeyEvery = std::chrono::seconds(30);

std::string short_hex(const Id128& id) { return to_hex(id).substr(0, 8); }
}  // namespace

void Room::take_verified(VerifiedRecord& v, bool own_file, FreshMerge& fresh, SyncTally& tally) {
  const Message& m = v.record.message;
  if (own_file) {
    (void)ctx_.clock.observe(m.stamp);
  } else {  // as room.cpp does for passphrase rooms, under the signer's name
    Message named = m;
    named.nick = member_->display_name(v.signer);
    note_remote_stamp(named, synced_once_);
  }
  std::uint64_t& floor = tally.order_floor[m.writer];  // the writer's own order (room.cpp)
  floor = std::max(floor, m.stamp);
  switch (static_cast<RecordKind>(v.record.kind)) {
    case RecordKind::membership:
      if (!member_->add_membership(v)) {
        ++tally.member.rejected[m.writer];
        tally.member.reasons[m.writer] = "a malformed membership record";
        return;
      }
      fresh.add(floor, m.writer, 0, MemberRoom::membership_entry(v), "");  // a notice: no unread
      return;
    case RecordKind::message:
      if (own_file) {
        std::lock_guard out(out_mu_);
        if (echoed_.erase(m.seq) > 0) {  // rendered when it was spooled
          member_->note_own(v);
          return;
        }
      }
      {
        // Our own messages (any device) are never unread: seq 0 keeps them out of the count.
        const bool ours = v.signer == member_->me().public_key();
        const std::uint64_t seq = ours ? 0 : m.seq;
        if (!ours && ctx_.config.receipts) note_recent(m);
        const Id128 writer = m.writer;
        fresh.add(floor, writer, seq, MemberRoom::message_entry(std::move(v)), "");
      }
      return;
    case RecordKind::receipt:  // judged at the drain; a mount without receipts skips them
      if (ctx_.config.receipts) fresh.add(floor, m.writer, 0, MemberRoom::receipt_entry(v), "");
      return;
    default:  // a kind of a later version: verified, then skipped silently
      return;
  }
}

// After every file of the sync was read: the grants in keys/ (listed in full syncs) and those
// the waiting lines need, then those lines again, each file as a stream of its own.
void Room::finish_member_fetch_locked(bool list, FreshMerge& fresh, SyncTally& tally) {
  std::set<EpochId> wanted;
  for (auto& [path, cursor] : cursors_)
    if (cursor.awaiting()) wanted.merge(cursor.awaited_epochs());
  if (list || !wanted.empty()) {
    if (auto got = member_->sync_grants(ctx_.transport, folder_, list, wanted); !got) {
      if (!tally.first_error) tally.first_error = got.error();
      return;
    }
  }
  std::optional<Id128> own_id;
  {
    std::lock_guard out(out_mu_);
    if (own_) own_id = own_->id();
  }
  for (auto& [path, cursor] : cursors_) {
    if (!cursor.awaiting()) continue;
    fresh.begin_stream();
    IngestResult part = cursor.retry(cursor_keys(cursor.writer()));
    tally.totals.rejected += part.rejected;
    tally.totals.duplicates += part.duplicates;
    tally.totals.missing += part.missing;
    tally.totals.unreadable += part.unreadable;
    for (VerifiedRecord& v : part.verified)
      take_verified(v, own_id && *own_id == cursor.writer(), fresh, tally);
    if (part.unreadable > 0)
      add_notice(path, Notice::unreadable,
                 std::to_string(part.unreadable) + " record(s) from writer " +
                     short_hex(cursor.writer()) +
                     " use a key this identity was not given (not a member when they were "
                     "written, or removed since): not shown");
  }
}

std::uint64_t Room::drain_member_merge(FreshMerge& fresh, SyncTally& tally) {
  std::uint64_t shown = 0;
  append_fresh(fresh, [&](std::string& log_text, std::string& json_text) {
        const bool keep = member_->finish_entry(log_text, json_text, tally.member);
        if (keep && !json_text.empty()) ++shown;  // notices have no JSON line
        return keep;
      });
  for (const auto& [writer, count] : tally.member.rejected) {
    tally.totals.rejected += count;
    auto path = tally.paths.find(writer);
    add_notice(path == tally.paths.end() ? to_hex(writer) : path->second, Notice::rejected,
               std::to_string(count) + " record(s) from writer " + short_hex(writer) +
                   " were rejected: " + tally.member.reasons[writer]);
  }
  return shown;
}

Result<std::uint64_t> Room::enqueue_v2_record(RecordKind kind, const EpochId& epoch,
                                              const std::string& payload) {
  bool ask_server = false;
  {
    std::lock_guard lock(out_mu_);
    if (auto ready = ensure_outbox_locked(true); !ready) return ready.error();
    ask_server = seq_from_server_;
  }
  if (ask_server) {  // an id used before spools existed: its last seq is only on the server
    if (auto synced = sync(); !synced) return synced.error();
  }
  std::lock_guard lock(out_mu_);
  const std::uint64_t seq = std::max(spool_->last_assigned(), own_server_seq_) + 1;
  auto line = member_->encode(kind, epoch, own_->id(), seq, ctx_.clock.tick(), payload);
  if (!line) return line.error();
  if (auto spooled = spool_->append({SpooledRecord{seq, std::move(*line)}}); !spooled)
    return spooled.error();
  if (ctx_.wake_sender) ctx_.wake_sender();
  return seq;
}

Result<void> Room::change_membership(Action action, std::string_view who, Role role,
                                     std::string_view name) {
  if (!member_)
    return make_error(Errc::invalid_argument,
                      "room '" + opened_.name + "' is a passphrase room: only member rooms have members");
  PreparedChange change;
  {
    std::lock_guard net(net_mu_);
    if (auto synced = sync_locked(); !synced) return synced;  // decide on what is there now
    PublicKey target{};
    if (action == Action::invite) {
      auto key = parse_public_id(who);
      if (!key) return key.error();
      target = *key;
    } else if (action != Action::rekey) {
      auto key = member_->resolve_member(who);
      if (!key) return key.error();
      target = *key;
    }
    auto prepared = member_->prepare(action, target, role, name);
    if (!prepared) return prepared.error();
    // docs/FORMAT.md, "Membership records", writer rules: the grant first, then the record.
    const std::string keys_dir = layout::join(folder_, MemberRoom::kKeysFolder);
    if (auto made = ctx_.transport.make_dir(keys_dir); !made && made.error().code != Errc::exists)
      return made;
    const std::string file = layout::join(keys_dir, to_hex(prepared->epoch.id) + ".g");
    if (auto put = ctx_.transport.create_file(file, format_grant_file(prepared->grant)); !put)
      return put;
    member_->add_key(prepared->epoch.clone());
    change = std::move(*prepared);
  }
  auto queued = enqueue_v2_record(RecordKind::membership, change.epoch.id, change.payload);
  if (!queued) return queued.error();
  if (auto durable = make_spool_durable(); !durable) return durable;
  if (auto sent = upload_pending(); !sent) return sent;
  std::lock_guard net(net_mu_);
  return sync_locked();  // read it back: the change is in everyone's fold, ours included
}

void Room::rekey_if_needed() {
  if (!member_->should_rekey()) return;
  {
    std::lock_guard net(net_mu_);
    const auto now = std::chrono::steady_clock::now();
    if (now - last_rekey_try_ < kRekeyEvery) return;
    last_rekey_try_ = now;
  }
  if (auto done = change_membership(Action::rekey, ""); !done)
    ctx_.log.warning("room " + folder_ + ": cannot change the room key after concurrent "
                     "membership changes: " + describe(done.error()));
  else
    ctx_.log.info("room " + folder_ + ": changed the room key after concurrent membership changes");
}

std::string Room::members_text() const {
  return member_ ? member_->members_text(ctx_.config.receipts) : "";
}

void Room::notice_in_log(const std::string& text) {
  ctx_.log.warning("room " + folder_ + ": " + text);
  std::lock_guard lock(state_mu_);
  log_.append(render_notice(ctx_.wall.now_ms(), text));
  ++counters_.notices;
}

}  // namespace ftpchat
