// The fold (docs/FORMAT.md, "The fold"): candidates, topological order by (stamp, epoch id),
// then one pass that decides for each membership record whether it is authorized (its epoch
// is established) and effective (it changes the member list), with removal cuts.
#include "ftpchat/identity/membership.hpp"

#include <sodium.h>

#include <algorithm>

#include "ftpchat/identity/public_id.hpp"

namespace ftpchat {

namespace {

bool at_least(Role role, Role wanted) {
  return static_cast<std::uint8_t>(role) >= static_cast<std::uint8_t>(wanted);
}

// The rule table of FORMAT.md: may a member of `author_role` make `change`? `seen` is the
// target's role as the author saw it (in the record's causal past), none when not a member.
bool allowed(Role author_role, const MembershipChange& change, std::optional<Role> seen,
             bool on_self) {
  switch (change.action) {
    case Action::invite:
      return change.role == Role::owner ? author_role == Role::owner
                                        : at_least(author_role, Role::admin);
    case Action::remove:
      if (on_self) return true;
      if (seen == Role::owner) return false;
      if (seen == Role::admin) return author_role == Role::owner;
      return at_least(author_role, Role::admin);
    case Action::role:
      if (on_self) return seen && !at_least(change.role, *seen);  // stepping down only
      if (seen == Role::owner) return false;
      if (change.role == Role::owner || seen == Role::admin) return author_role == Role::owner;
      return at_least(author_role, Role::admin);
    case Action::rekey:
      return at_least(author_role, Role::admin);
  }
  return false;
}

std::size_t owners(const std::map<PublicKey, Member>& members) {
  std::size_t n = 0;
  for (const auto& [key, m] : members) n += m.role == Role::owner;
  return n;
}

}  // namespace

const char* verdict_reason(Verdict verdict) {
  switch (verdict) {
    case Verdict::accepted: return "accepted";
    case Verdict::no_epoch: return "its epoch was not established by an owner or admin";
    case Verdict::not_recipient: return "its signer was not a member of its epoch";
    case Verdict::removed: return "its signer had been removed when it was written";
  }
  return "rejected";
}

MembershipRecord membership_record_of(const VerifiedRecord& verified, MembershipChange change) {
  MembershipRecord r;
  r.epoch = verified.record.epoch;
  r.author = verified.signer;
  r.writer = verified.record.message.writer;
  r.seq = verified.record.message.seq;
  r.stamp = verified.record.message.stamp;
  r.change = std::move(change);
  const std::string& plain = verified.record.content;
  crypto_generichash(r.digest.data(), r.digest.size(),
                     reinterpret_cast<const unsigned char*>(plain.data()), plain.size(), nullptr, 0);
  return r;
}

Membership::Membership(Genesis genesis, const EpochId& epoch0)
    : genesis_(std::move(genesis)), epoch0_(epoch0) {}

bool Membership::add(MembershipRecord record) {
  if (record.epoch == epoch0_) return false;
  auto it = records_.find(record.epoch);
  if (it != records_.end()) {
    if (!(record.digest < it->second.digest)) return false;
    it->second = std::move(record);
  } else {
    records_.emplace(record.epoch, std::move(record));
  }
  fold_.reset();
  return true;
}

void Membership::note_writer(const PublicKey& signer, const Id128& writer, std::uint64_t seq) {
  // A sync notes one writer's records in a row: the entry noted last is usually the one.
  if (last_note_ == nullptr || signer != last_signer_ || writer != last_writer_) {
    last_note_ = &notes_[signer][writer];
    last_signer_ = signer;
    last_writer_ = writer;
  }
  *last_note_ = std::max(*last_note_, seq);
}

const Membership::Fold& Membership::fold() const {
  if (!fold_) refold();
  return *fold_;
}

bool Membership::is_cut(const Fold& f, const State& s, const PublicKey& who,
                        const Id128& writer, std::uint64_t seq, std::size_t k) {
  for (const Removal& r : s.removals) {
    if (r.target != who || f.ancestors[k][r.epoch]) continue;
    auto c = r.cut.find(writer);
    if (seq > (c == r.cut.end() ? 0 : c->second)) return true;
  }
  return false;
}

Membership::State Membership::genesis_state() const {
  State s;
  for (const GenesisMember& m : genesis_.members) {
    s.members[m.key] = Member{m.key, m.name, m.role, genesis_.stamp, 0};
    s.names[m.key] = m.name;
  }
  return s;
}

// Candidates, their ancestors, and the order: parents first, and a removal before the records
// of its target beyond its cut (unless one descends from the other); the smallest (stamp,
// epoch id) among the ready ones; a cycle of cut edges is broken the same way.
void Membership::order_records(Fold& f) const {
  f.cand.push_back(nullptr);
  std::map<EpochId, std::size_t> cand_index{{epoch0_, 0}};
  for (bool progress = true; progress;) {  // records whose parents are all candidates
    progress = false;
    for (const auto& [epoch, r] : records_) {
      if (cand_index.count(epoch)) continue;
      if (std::all_of(r.change.parents.begin(), r.change.parents.end(),
                      [&](const EpochId& p) { return cand_index.count(p) > 0; })) {
        cand_index[epoch] = f.cand.size();
        f.cand.push_back(&r);
        progress = true;
      }
    }
  }
  const std::size_t n = f.cand.size();
  f.waiting = records_.size() + 1 - n;
  f.ancestors.assign(n, std::vector<bool>(n, false));
  for (std::size_t k = 0; k < n; ++k) {  // parents were added before their children
    f.ancestors[k][k] = true;
    if (k == 0) continue;
    for (const EpochId& p : f.cand[k]->change.parents) {
      const std::size_t pk = cand_index.at(p);
      for (std::size_t j = 0; j < n; ++j)
        if (f.ancestors[pk][j]) f.ancestors[k][j] = true;
    }
  }
  std::vector<std::vector<std::size_t>> cut_after(n);  // removal -> records it must precede
  std::vector<std::size_t> cut_before(n, 0);
  for (std::size_t r = 1; r < n; ++r) {
    const MembershipChange& rc = f.cand[r]->change;
    if (rc.action != Action::remove) continue;
    for (std::size_t o = 1; o < n; ++o) {
      const MembershipRecord& rec = *f.cand[o];
      if (rec.author != rc.target || f.ancestors[o][r] || f.ancestors[r][o]) continue;
      auto c = std::find_if(rc.cut.begin(), rc.cut.end(),
                            [&](const CutEntry& e) { return e.writer == rec.writer; });
      if (rec.seq > (c == rc.cut.end() ? 0 : c->last_seq)) {
        cut_after[r].push_back(o);
        ++cut_before[o];
      }
    }
  }
  std::vector<bool> taken(n, false);
  taken[0] = true;
  f.order.push_back(0);
  const auto earlier = [&](std::size_t a, std::size_t b) {
    return std::tie(f.cand[a]->stamp, f.cand[a]->epoch) < std::tie(f.cand[b]->stamp, f.cand[b]->epoch);
  };
  while (f.order.size() < n) {
    std::optional<std::size_t> ready, stuck;
    for (std::size_t k = 1; k < n; ++k) {
      if (taken[k]) continue;
      const auto& parents = f.cand[k]->change.parents;
      if (!std::all_of(parents.begin(), parents.end(),
                       [&](const EpochId& p) { return taken[cand_index.at(p)]; }))
        continue;
      if (!stuck || earlier(k, *stuck)) stuck = k;
      if (cut_before[k] == 0 && (!ready || earlier(k, *ready))) ready = k;
    }
    const std::size_t next = ready ? *ready : *stuck;
    taken[next] = true;
    f.order.push_back(next);
    for (std::size_t o : cut_after[next]) --cut_before[o];
  }
  for (std::size_t k : f.order) f.index[k == 0 ? epoch0_ : f.cand[k]->epoch] = k;
}

std::pair<bool, bool> Membership::apply(const Fold& f, State& s, std::size_t k) const {
  const MembershipRecord& r = *f.cand[k];
  const MembershipChange& c = r.change;
  auto author = s.members.find(r.author);
  auto target = s.members.find(c.target);
  const bool authorized = author != s.members.end() &&
                          !is_cut(f, s, r.author, r.writer, r.seq, k) &&
                          allowed(author->second.role, c, f.seen_role[k], c.target == r.author);
  if (!authorized) return {false, false};
  const bool member = target != s.members.end();
  bool effective = false;
  switch (c.action) {
    case Action::invite:
      effective = !member && std::all_of(s.removals.begin(), s.removals.end(), [&](const Removal& rm) {
                    return rm.target != c.target || f.ancestors[k][rm.epoch];
                  });
      if (effective) {
        s.members[c.target] = Member{c.target, c.name, c.role, r.stamp, 0};
        s.names[c.target] = c.name;
      }
      break;
    case Action::remove:
      effective = member && !(target->second.role == Role::owner && owners(s.members) == 1);
      if (effective) s.members.erase(target);
      s.removals.push_back(Removal{c.target, k, {}});
      for (const CutEntry& e : c.cut) s.removals.back().cut[e.writer] = e.last_seq;
      break;
    case Action::role:
      effective = member && target->second.role != c.role &&
                  !(target->second.role == Role::owner && owners(s.members) == 1);
      if (effective) target->second.role = c.role;
      break;
    case Action::rekey:
      effective = true;
      break;
  }
  return {true, effective};
}

void Membership::refold() const {
  Fold f;
  order_records(f);
  const std::size_t n = f.cand.size();
  f.recipients.resize(n);
  f.seen_role.resize(n);
  f.established.assign(n, false);
  f.established[0] = true;
  for (const GenesisMember& m : genesis_.members) f.recipients[0].insert(m.key);
  // The target's role as each record's author saw it: the fold of its ancestors alone.
  for (std::size_t pos = 1; pos < f.order.size(); ++pos) {
    const std::size_t k = f.order[pos];
    State past = genesis_state();
    for (std::size_t before = 1; before < pos; ++before)
      if (f.ancestors[k][f.order[before]]) (void)apply(f, past, f.order[before]);
    auto t = past.members.find(f.cand[k]->change.target);
    if (t != past.members.end()) f.seen_role[k] = t->second.role;
  }
  f.state = genesis_state();
  for (std::size_t pos = 1; pos < f.order.size(); ++pos) {
    const std::size_t k = f.order[pos];
    const MembershipRecord& r = *f.cand[k];
    f.recipients[k] = std::set<PublicKey>(r.change.recipients.begin(), r.change.recipients.end());
    const auto [authorized, effective] = apply(f, f.state, k);
    f.established[k] = authorized;
    f.steps.push_back(FoldStep{r.epoch, r.author, r.stamp, r.change, authorized, effective});
  }
  fold_ = std::move(f);
}

std::map<Id128, std::uint64_t> Membership::writers_of(const PublicKey& key) const {
  std::map<Id128, std::uint64_t> out;
  if (auto it = notes_.find(key); it != notes_.end()) out = it->second;
  const Fold& f = fold();
  for (std::size_t k = 1; k < f.cand.size(); ++k) {
    const MembershipRecord& r = *f.cand[k];
    if (r.author == key && f.established[k]) out[r.writer] = std::max(out[r.writer], r.seq);
  }
  return out;
}

std::vector<Member> Membership::members() const {
  std::vector<Member> out;
  for (const auto& [key, m] : fold().state.members) {
    out.push_back(m);
    out.back().devices = writers_of(key).size();
  }
  return out;
}

std::optional<Member> Membership::find(const PublicKey& key) const {
  const Fold& f = fold();
  auto it = f.state.members.find(key);
  if (it == f.state.members.end()) return std::nullopt;
  Member m = it->second;
  m.devices = writers_of(key).size();
  return m;
}

Verdict Membership::judge(const PublicKey& signer, const Id128& writer, std::uint64_t seq,
                          const EpochId& epoch) const {
  const Fold& f = fold();
  auto it = f.index.find(epoch);
  if (it == f.index.end() || !f.established[it->second]) return Verdict::no_epoch;
  if (f.recipients[it->second].count(signer) == 0) return Verdict::not_recipient;
  if (is_cut(f, f.state, signer, writer, seq, it->second)) return Verdict::removed;
  return Verdict::accepted;
}

std::string Membership::display_name(const PublicKey& key) const {
  const Fold& f = fold();
  auto it = f.state.names.find(key);
  if (it == f.state.names.end()) return "~" + fingerprint(key);
  for (const auto& [other, name] : f.state.names)
    if (other != key && name == it->second) return it->second + "~" + fingerprint(key);
  return it->second;
}

namespace {
std::set<PublicKey> keys_of(const std::map<PublicKey, Member>& members) {
  std::set<PublicKey> out;
  for (const auto& [key, m] : members) out.insert(key);
  return out;
}
}  // namespace

std::optional<EpochId> Membership::send_epoch(const PublicKey& self) const {
  const Fold& f = fold();
  const std::set<PublicKey> members = keys_of(f.state.members);
  if (members.count(self) == 0) return std::nullopt;
  const auto epoch_at = [&](std::size_t k) { return k == 0 ? epoch0_ : f.cand[k]->epoch; };
  for (std::size_t pos = f.order.size(); pos-- > 0;) {
    const std::size_t k = f.order[pos];
    if (f.established[k] && f.recipients[k] == members) return epoch_at(k);
  }
  for (std::size_t pos = f.order.size(); pos-- > 0;) {
    const std::size_t k = f.order[pos];
    if (f.established[k] && f.recipients[k].count(self) &&
        std::includes(members.begin(), members.end(), f.recipients[k].begin(), f.recipients[k].end()))
      return epoch_at(k);
  }
  return std::nullopt;
}

bool Membership::rekey_needed() const {
  const Fold& f = fold();
  for (std::size_t pos = f.order.size(); pos-- > 0;)
    if (f.established[f.order[pos]]) return f.recipients[f.order[pos]] != keys_of(f.state.members);
  return false;
}

std::vector<EpochId> Membership::latest_epochs() const {
  const Fold& f = fold();
  std::vector<bool> has_child(f.cand.size(), false);
  for (std::size_t k = 1; k < f.cand.size(); ++k)
    if (f.established[k])
      for (const EpochId& p : f.cand[k]->change.parents) has_child[f.index.at(p)] = true;
  std::vector<EpochId> out;
  for (std::size_t k : f.order)
    if (f.established[k] && !has_child[k]) out.push_back(k == 0 ? epoch0_ : f.cand[k]->epoch);
  return out;
}

bool Membership::established(const EpochId& epoch) const {
  const Fold& f = fold();
  auto it = f.index.find(epoch);
  return it != f.index.end() && f.established[it->second];
}

const std::vector<FoldStep>& Membership::steps() const { return fold().steps; }

std::size_t Membership::waiting() const { return fold().waiting; }

Result<MembershipChange> Membership::prepare(const PublicKey& author, Action action,
                                             const PublicKey& target, Role role,
                                             std::string_view name) const {
  const Fold& f = fold();
  auto me = f.state.members.find(author);
  if (me == f.state.members.end())
    return make_error(Errc::permission, "you are not a member of this room");
  MembershipChange c;
  c.action = action;
  c.target = action == Action::rekey ? PublicKey{} : target;
  c.role = action == Action::invite || action == Action::role ? role : Role::none;
  c.name = action == Action::invite ? std::string(name) : "";
  auto them = f.state.members.find(target);
  const std::string who = action == Action::invite ? std::string(name) : display_name(target);
  std::map<PublicKey, Member> after = f.state.members;
  switch (action) {
    case Action::invite:
      if (auto valid = validate_member_name(name); !valid) return valid.error();
      if (them != f.state.members.end())
        return make_error(Errc::exists, "that identity is already a member of this room, as " +
                                            display_name(target));
      after[target] = Member{target, std::string(name), role, 0, 0};
      break;
    case Action::remove:
    case Action::role:
      if (them == f.state.members.end())
        return make_error(Errc::not_found, who + " is not a member of this room");
      if (them->second.role == Role::owner && owners(f.state.members) == 1 &&
          (action == Action::remove || role != Role::owner))
        return make_error(Errc::permission,
                          who + " is the room's last owner; make another member owner first");
      if (action == Action::role && them->second.role == role)
        return make_error(Errc::exists, who + " is already " + role_name(role));
      if (action == Action::remove) {
        after.erase(target);
        for (const auto& [writer, seq] : writers_of(target)) c.cut.push_back(CutEntry{writer, seq});
      } else {
        after[target].role = role;
      }
      break;
    case Action::rekey:
      break;
  }
  const std::optional<Role> target_role =
      them == f.state.members.end() ? std::nullopt : std::optional<Role>(them->second.role);
  if (!allowed(me->second.role, c, target_role, target == author))
    return make_error(Errc::permission,
                      std::string("as ") + role_name(me->second.role) +
                          " you cannot do that: owners and admins invite and remove members, "
                          "owners alone invite owners and remove or change admins, and an owner "
                          "can only step down or leave by themselves");
  for (const auto& [key, m] : after) c.recipients.push_back(key);
  return c;
}

}  // namespace ftpchat
