// MemberRoom: opening a member room with an identity, grants from keys/, deferred judging of
// a sync's records, sealing uploads and preparing membership changes.
#include "ftpchat/room/member_room.hpp"

#include <algorithm>

#include "ftpchat/core/clock.hpp"
#include "ftpchat/core/wire.hpp"
#include "ftpchat/identity/public_id.hpp"
#include "ftpchat/record/render.hpp"
#include "ftpchat/record/render_json.hpp"
#include "ftpchat/record/text_fields.hpp"
#include "ftpchat/room/room_layout.hpp"

namespace ftpchat {

namespace {

constexpr char kMessageEntry = 'M';
constexpr char kMembershipEntry = 'O';
constexpr std::string_view kGrantSuffix = ".g";

std::string keys_folder(const std::string& folder) {
  return layout::join(folder, MemberRoom::kKeysFolder);
}

std::optional<EpochId> grant_file_epoch(std::string_view name) {
  if (!name.ends_with(kGrantSuffix)) return std::nullopt;
  return id_from_hex(name.substr(0, name.size() - kGrantSuffix.size()));
}

std::string member_notice(const FoldStep& step, const Membership& ms) {
  const std::string author = ms.display_name(step.author);
  const std::string target = ms.display_name(step.change.target);
  switch (step.change.action) {
    case Action::invite:
      return author + " invited " + target + " (" + std::string(kPublicIdPrefix) +
             fingerprint(step.change.target) + ") as " + role_name(step.change.role);
    case Action::remove:
      return step.change.target == step.author ? author + " left the room"
                                               : author + " removed " + target;
    case Action::role:
      return author + " made " + target + " " + role_name(step.change.role);
    case Action::rekey:
      break;
  }
  return "";
}

}  // namespace

Result<std::unique_ptr<MemberRoom>> MemberRoom::open(Transport& transport,
                                                     const std::string& folder,
                                                     const RoomHeader& header,
                                                     std::shared_ptr<const Identity> me) {
  auto grant = parse_grant(header.grant);
  if (!grant) return grant.error();
  std::unique_ptr<MemberRoom> room(new MemberRoom(std::move(me), header.room_id));
  const EpochId epoch0 = grant->epoch;
  room->grants_.emplace(epoch0, std::move(*grant));
  room->keys_.learn({&room->grants_.at(epoch0)}, room->room_id_, room->me_->x25519_secret());
  if (!room->keys_.has(epoch0)) {  // invited later: a grant in keys/ leads back to epoch 0
    if (auto synced = room->sync_grants(transport, folder, true, {}); !synced) return synced.error();
  }
  auto key0 = room->keys_.key(epoch0);
  if (!key0)
    return make_error(Errc::not_member,
                      "your identity (" + std::string(kPublicIdPrefix) +
                          fingerprint(room->me_->public_key()) + "...) is not a member of room " +
                          folder);
  auto genesis = open_genesis(header.sealed_genesis, header.room_id, *key0);
  if (!genesis) return genesis.error();
  room->genesis_ = *genesis;
  room->membership_.emplace(std::move(*genesis), epoch0);
  room->unreadable_.clear();  // learned while probing; judged afresh by the room's syncs
  return room;
}

Result<void> MemberRoom::sync_grants(Transport& transport, const std::string& folder, bool list,
                                     const std::set<EpochId>& wanted) {
  std::vector<std::string> names;
  if (list) {
    auto listing = transport.list(keys_folder(folder));
    if (!listing && listing.error().code != Errc::not_found) return listing.error();
    if (listing)
      for (const DirEntry& e : listing.value())
        if (!e.is_dir && grant_file_epoch(e.name) && !grant_files_seen_.count(e.name))
          names.push_back(e.name);
  }
  for (const EpochId& e : wanted)
    if (!keys_.has(e) && !grants_.count(e) && !unreadable_.count(e)) {
      const std::string name = to_hex(e) + std::string(kGrantSuffix);
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  for (const std::string& name : names) {
    auto text = transport.read(layout::join(keys_folder(folder), name), 0);
    if (!text) {
      if (text.error().code == Errc::not_found) continue;  // no grant: unreadable below
      return text.error();
    }
    grant_files_seen_.insert(name);
    auto grant = parse_grant_file(text.value(), *grant_file_epoch(name));
    if (grant) grants_.emplace(grant->epoch, std::move(*grant));
  }
  std::vector<const Grant*> all;
  for (const auto& [epoch, g] : grants_) all.push_back(&g);
  keys_.learn(all, room_id_, me_->x25519_secret());
  for (const EpochId& e : wanted)
    if (!keys_.has(e)) unreadable_.insert(e);
  return {};
}

bool MemberRoom::add_membership(const VerifiedRecord& record) {
  auto change = parse_membership(record.record.payload);
  if (!change) return false;
  std::lock_guard lock(mu_);
  if (membership_->add(membership_record_of(record, std::move(*change)))) shown_.clear();
  return true;
}

std::string MemberRoom::message_entry(VerifiedRecord&& v) {
  const Message& m = v.record.message;
  std::string out;
  out.reserve(1 + 32 + 16 + 16 + 8 + 8 + 1 + 16 + m.body.size());
  out.push_back(kMessageEntry);
  put_bytes(out, v.signer);
  put_bytes(out, v.record.epoch);
  put_bytes(out, m.writer);
  put_u64(out, m.seq);
  put_u64(out, m.stamp);
  put_u8(out, m.flags);
  put_bytes(out, m.id);
  out += m.body;
  return out;
}

std::string MemberRoom::membership_entry(const VerifiedRecord& v) {
  std::string out(1, kMembershipEntry);
  put_bytes(out, v.record.epoch);
  put_bytes(out, v.record.message.writer);
  put_u64(out, v.record.message.stamp);
  return out;
}

bool MemberRoom::finish_entry(std::string& log, std::string& json, MemberTally& tally) {
  WireReader in(log);
  const auto kind = in.u8();
  std::lock_guard lock(mu_);
  if (kind == kMembershipEntry) {
    const EpochId epoch = *in.array<16>();
    const Id128 writer = *in.array<16>();
    const std::uint64_t stamp = *in.u64();
    for (const FoldStep& step : membership_->steps()) {
      if (step.epoch != epoch) continue;
      if (!step.authorized) {
        ++tally.rejected[writer];
        tally.reasons[writer] = "a membership change its author may not make";
      }
      if (!step.effective || !noticed_.insert(epoch).second) return false;
      const std::string text = member_notice(step, *membership_);
      if (text.empty()) return false;
      log = render_notice(HybridClock::millis(stamp), text);
      json.clear();
      return true;
    }
    return false;  // waits for records it depends on: shown when they arrive
  }
  if (kind == kReceiptEntry) return finish_receipt(in.rest(), tally);
  Message m;
  const PublicKey signer = *in.array<32>();
  const EpochId epoch = *in.array<16>();
  m.writer = *in.array<16>();
  m.seq = *in.u64();
  m.stamp = *in.u64();
  m.flags = *in.u8();
  m.id = *in.array<16>();
  m.body = std::string(in.rest());
  const Verdict verdict = membership_->judge(signer, m.writer, m.seq, epoch);
  if (verdict != Verdict::accepted) {
    ++tally.rejected[m.writer];
    tally.reasons[m.writer] = verdict_reason(verdict);
    return false;
  }
  membership_->note_writer(signer, m.writer, m.seq);
  auto shown = shown_.find(signer);
  if (shown == shown_.end())
    shown = shown_.emplace(signer, Shown{membership_->display_name(signer), format_public_id(signer)}).first;
  m.nick = shown->second.name;
  m.signer_id = shown->second.public_id;
  log = render_message(m);
  json = render_json(m);
  return true;
}

Verdict MemberRoom::judge(const VerifiedRecord& v) const {
  std::lock_guard lock(mu_);
  if (v.record.kind == static_cast<std::uint8_t>(RecordKind::membership))
    return membership_->established(v.record.epoch) ? Verdict::accepted : Verdict::no_epoch;
  return membership_->judge(v.signer, v.record.message.writer, v.record.message.seq, v.record.epoch);
}

void MemberRoom::note_own(const VerifiedRecord& v) {
  std::lock_guard lock(mu_);
  membership_->note_writer(v.signer, v.record.message.writer, v.record.message.seq);
}

Result<EpochId> MemberRoom::send_epoch() const {
  std::lock_guard lock(mu_);
  if (!membership_->find(me_->public_key()))
    return make_error(Errc::not_member, "this identity is not a member of the room (any more)");
  auto epoch = membership_->send_epoch(me_->public_key());
  if (!epoch || !keys_.has(*epoch))
    return make_error(Errc::busy, "the room's key is being changed after a membership change; "
                                  "an owner or admin changes it on their next sync");
  return *epoch;
}

Result<std::string> MemberRoom::encode(RecordKind kind, const EpochId& epoch, const Id128& writer,
                                       std::uint64_t seq, std::uint64_t stamp,
                                       std::string_view payload) const {
  const RecordCipher* cipher = keys_.epoch(epoch);
  if (cipher == nullptr) return make_error(Errc::internal, "no key for the epoch to send in");
  return encode_record_v2(*cipher, epoch, room_id_, writer, v2_content(kind, seq, stamp, payload));
}

Result<std::vector<std::string>> MemberRoom::sealed_lines(const Id128& writer,
                                                          const std::vector<SpooledRecord>& pending,
                                                          std::optional<ChainPoint>& chain) const {
  std::vector<std::string> out;
  std::vector<DecodedRecord> run;
  std::size_t run_bytes = 0;
  // The run's last record goes up again, encrypted with its seal (fresh nonce): FORMAT.md,
  // "Chains and seals", writer rule 1.
  const auto seal = [&]() -> Result<void> {
    if (run.empty()) return {};
    std::vector<RunEntry> entries;
    for (const DecodedRecord& r : run) entries.push_back(RunEntry{r.epoch, r.content});
    const SealPayload s = seal_records(*me_, room_id_, writer, run.front().message.seq, entries, chain);
    const DecodedRecord& last = run.back();
    const RecordCipher* cipher = keys_.epoch(last.epoch);
    if (cipher == nullptr) return make_error(Errc::internal, "no key for a spooled record's epoch");
    out.back() = encode_record_v2(*cipher, last.epoch, room_id_, writer, last.content, encode_seal(s));
    run.clear();
    run_bytes = 0;
    return {};
  };
  for (const SpooledRecord& r : pending) {
    auto d = decode_line(keys_, room_id_, writer, r.line);
    if (!d) return make_error(Errc::internal, "a spooled record does not decode: " + d.error().detail);
    const bool contiguous = run.empty() || run.back().message.seq + 1 == d->message.seq;
    if (!contiguous || run.size() == kMaxRunRecords || run_bytes + r.line.size() > kMaxRunLineBytes)
      if (auto ok = seal(); !ok) return ok.error();
    run_bytes += r.line.size();
    out.push_back(r.line);
    run.push_back(std::move(*d));
  }
  if (auto ok = seal(); !ok) return ok.error();
  return out;
}

std::string MemberRoom::own_name() const {
  std::lock_guard lock(mu_);
  return membership_->display_name(me_->public_key());
}

std::string MemberRoom::display_name(const PublicKey& key) const {
  std::lock_guard lock(mu_);
  return membership_->display_name(key);
}

Result<PublicKey> MemberRoom::resolve_member(std::string_view who) const {
  if (who.starts_with(kPublicIdPrefix)) return parse_public_id(who);
  std::lock_guard lock(mu_);
  std::vector<PublicKey> found;
  for (const Member& m : membership_->members())
    if (m.name == who || membership_->display_name(m.key) == who) found.push_back(m.key);
  if (found.empty())
    return make_error(Errc::not_found, "no member of this room is named " + quote_untrusted(who));
  if (found.size() > 1)
    return make_error(Errc::invalid_argument,
                      std::to_string(found.size()) + " members are named " + quote_untrusted(who) +
                          ": give the name as the log shows it (NAME~FINGERPRINT) or a public id");
  return found.front();
}

Result<PreparedChange> MemberRoom::prepare(Action action, const PublicKey& target, Role role,
                                           std::string_view name) const {
  std::lock_guard lock(mu_);
  auto change = membership_->prepare(me_->public_key(), action, target, role, name);
  if (!change) return change.error();
  std::vector<EpochKey> parent_keys;
  for (const EpochId& p : membership_->latest_epochs())
    if (auto key = keys_.key(p); key && parent_keys.size() < kMaxParents) {
      change->parents.push_back(p);
      parent_keys.push_back(std::move(*key));
    }
  if (parent_keys.empty())
    return make_error(Errc::internal, "no key of the room's latest epochs is held");
  PreparedChange out{random_epoch_key(), "", ""};
  auto grant = make_grant(room_id_, out.epoch, change->recipients, parent_keys);
  if (!grant) return grant.error();
  auto payload = encode_membership(std::move(*change));
  if (!payload) return payload.error();
  out.grant = std::move(*grant);
  out.payload = std::move(*payload);
  return out;
}

bool MemberRoom::should_rekey() const {
  std::lock_guard lock(mu_);
  auto self = membership_->find(me_->public_key());
  return self && self->role != Role::member && membership_->rekey_needed();
}

std::string MemberRoom::members_text(bool with_receipts) const {
  std::lock_guard lock(mu_);
  std::vector<Member> members = membership_->members();
  std::sort(members.begin(), members.end(), [&](const Member& a, const Member& b) {
    return membership_->display_name(a.key) < membership_->display_name(b.key);
  });
  std::string out;
  for (const Member& m : members) {
    out += membership_->display_name(m.key) + " " + std::string(kPublicIdPrefix) +
           fingerprint(m.key) + " " + role_name(m.role) + " " + std::to_string(m.devices) + " " +
           rfc3339_utc_ms(HybridClock::millis(m.since));
    if (with_receipts) {
      const auto read = receipts_.read_up_to(m.key);
      out += read ? " " + rfc3339_utc_ms(HybridClock::millis(read->stamp)) + " " +
                        to_hex(read->message_id)
                  : std::string(" - -");
    }
    out += "\n";
  }
  return out;
}

std::string MemberRoom::status_text() const {
  std::lock_guard lock(mu_);
  std::string out = "room kind: member room\n";
  out += "identity: " + format_public_id(me_->public_key()) + "\n";
  auto self = membership_->find(me_->public_key());
  out += "you are: " + (self ? membership_->display_name(self->key) + " (" + role_name(self->role) + ")"
                             : std::string("not a member any more")) + "\n";
  out += "members: " + std::to_string(membership_->members().size()) + "\n";
  out += "key epochs: " + std::to_string(keys_.size()) + "\n";
  if (membership_->waiting() > 0)
    out += "membership records waiting: " + std::to_string(membership_->waiting()) + "\n";
  return out;
}

}  // namespace ftpchat
