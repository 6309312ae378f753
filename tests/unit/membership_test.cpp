// The membership fold (docs/FORMAT.md, "The fold"): each scenario is replayed in every order
// of arrival and must give the same members, roles, established epochs and verdicts; races
// between admins, removals that must never be undone, the last owner, cuts for removed
// members, waiting records, rival claims of one epoch, names, and prepare()'s errors.
#include "ftpchat/identity/membership.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <numeric>

#include "ftpchat/identity/public_id.hpp"

namespace ftpchat {
namespace {

struct Person {
  Identity id = Identity::generate();
  Id128 writer = random_id();
  PublicKey key() const { return id.public_key(); }
};

class FoldTest : public ::testing::Test {
 protected:
  // Genesis: owner O, admins A and B, members X and M.
  void SetUp() override {
    genesis_.stamp = 100;
    genesis_.room_name = "room";
    genesis_.owner = o.key();
    genesis_.members = {{o.key(), Role::owner, "olga"}, {a.key(), Role::admin, "ann"},
                        {b.key(), Role::admin, "ben"}, {x.key(), Role::member, "xan"},
                        {m.key(), Role::member, "mia"}};
    std::sort(genesis_.members.begin(), genesis_.members.end(),
              [](const auto& l, const auto& r) { return l.key < r.key; });
  }

  MembershipRecord op(const Person& author, std::uint64_t seq, std::uint64_t stamp, Action action,
                      const PublicKey& target, Role role, std::vector<EpochId> parents,
                      std::vector<PublicKey> recipients, std::vector<CutEntry> cut = {},
                      std::string name = "") {
    MembershipRecord r;
    r.epoch = random_id();
    r.author = author.key();
    r.writer = author.writer;
    r.seq = seq;
    r.stamp = stamp;
    r.change.action = action;
    r.change.target = action == Action::rekey ? PublicKey{} : target;
    r.change.role = role;
    r.change.name = action == Action::invite ? (name.empty() ? "newbie" : name) : "";
    r.change.parents = std::move(parents);
    std::sort(recipients.begin(), recipients.end());
    r.change.recipients = std::move(recipients);
    r.change.cut = std::move(cut);
    randombytes_buf(r.digest.data(), r.digest.size());
    return r;
  }

  std::vector<PublicKey> everyone_but(std::initializer_list<const Person*> out,
                                      std::initializer_list<const Person*> extra = {}) {
    std::vector<PublicKey> keys;
    for (const Person* p : {&o, &a, &b, &x, &m})
      if (std::find(out.begin(), out.end(), p) == out.end()) keys.push_back(p->key());
    for (const Person* p : extra) keys.push_back(p->key());
    return keys;
  }

  // Members, roles and established epochs as one string, to compare orders of arrival.
  static std::string outcome(const Membership& ms, const std::vector<MembershipRecord>& records) {
    std::string s;
    for (const Member& mem : ms.members())
      s += fingerprint(mem.key) + ":" + role_name(mem.role) + ":" + ms.display_name(mem.key) + " ";
    s += "|";
    for (const MembershipRecord& r : records) s += ms.established(r.epoch) ? "E" : "-";
    return s;
  }

  // Feeds the records in every order; all outcomes must agree. Returns the fold of the last.
  std::unique_ptr<Membership> every_order(std::vector<MembershipRecord> records) {
    std::vector<std::size_t> idx(records.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::string first;
    std::unique_ptr<Membership> last;
    std::size_t orders = 0;
    do {
      auto ms = std::make_unique<Membership>(genesis_, e0_);
      for (std::size_t i : idx) ms->add(records[i]);
      const std::string got = outcome(*ms, records);
      if (first.empty()) first = got;
      EXPECT_EQ(got, first) << "order " << orders;
      last = std::move(ms);
      ++orders;
    } while (std::next_permutation(idx.begin(), idx.end()));
    return last;
  }

  bool member(const Membership& ms, const Person& p) { return ms.find(p.key()).has_value(); }

  Person o, a, b, x, m, y, z;
  Genesis genesis_;
  EpochId e0_ = random_id();
};

TEST_F(FoldTest, InviteThenRemoveWithACut) {
  auto e1 = op(o, 1, 200, Action::invite, y.key(), Role::member, {e0_}, everyone_but({}, {&y}));
  auto e2 = op(o, 2, 300, Action::remove, y.key(), Role::none, {e1.epoch}, everyone_but({}),
               {{y.writer, 4}});
  auto ms = every_order({e1, e2});
  EXPECT_FALSE(member(*ms, y));
  EXPECT_EQ(ms->judge(y.key(), y.writer, 4, e1.epoch), Verdict::accepted);   // before the cut
  EXPECT_EQ(ms->judge(y.key(), y.writer, 5, e1.epoch), Verdict::removed);    // after it
  EXPECT_EQ(ms->judge(y.key(), random_id(), 1, e1.epoch), Verdict::removed); // a new device
  EXPECT_EQ(ms->judge(y.key(), y.writer, 5, e2.epoch), Verdict::not_recipient);
  EXPECT_EQ(ms->judge(y.key(), y.writer, 1, e0_), Verdict::not_recipient);   // before the invite
  EXPECT_EQ(ms->judge(x.key(), x.writer, 99, e2.epoch), Verdict::accepted);
  EXPECT_EQ(ms->judge(x.key(), x.writer, 1, random_id()), Verdict::no_epoch);
  EXPECT_EQ(ms->send_epoch(o.key()), e2.epoch);
  EXPECT_FALSE(ms->rekey_needed());
  EXPECT_EQ(ms->latest_epochs(), std::vector<EpochId>{e2.epoch});
  ASSERT_EQ(ms->steps().size(), 2u);
  EXPECT_TRUE(ms->steps()[0].effective && ms->steps()[1].effective);
}

TEST_F(FoldTest, TwoAdminsRacingOverOneMemberConvergeAndTheRemovalStands) {
  // A removes X while B promotes X to admin: whatever the stamps, X is out everywhere.
  for (std::uint64_t promote_stamp : {400u, 500u, 600u}) {
    auto rx = op(a, 1, 500, Action::remove, x.key(), Role::none, {e0_}, everyone_but({&x}), {{x.writer, 0}});
    auto px = op(b, 1, promote_stamp, Action::role, x.key(), Role::admin, {e0_}, everyone_but({}));
    auto ms = every_order({rx, px});
    EXPECT_FALSE(member(*ms, x)) << promote_stamp;
    EXPECT_TRUE(ms->established(rx.epoch));
  }
  // Admins cannot remove admins (only owners can), so they can never remove each other.
  auto ra = op(a, 1, 500, Action::remove, b.key(), Role::none, {e0_}, everyone_but({&b}), {{b.writer, 0}});
  auto rb = op(b, 1, 500, Action::remove, a.key(), Role::none, {e0_}, everyone_but({&a}), {{a.writer, 0}});
  auto ms = every_order({ra, rb});
  EXPECT_TRUE(member(*ms, a) && member(*ms, b));
  EXPECT_FALSE(ms->established(ra.epoch) || ms->established(rb.epoch));
}

TEST_F(FoldTest, ConcurrentRemoveAndInviteBothApplyThenARekeyConverges) {
  auto rx = op(a, 1, 500, Action::remove, x.key(), Role::none, {e0_}, everyone_but({&x}), {{x.writer, 2}});
  auto iy = op(b, 1, 510, Action::invite, y.key(), Role::member, {e0_}, everyone_but({}, {&y}));
  auto ms = every_order({rx, iy});
  EXPECT_FALSE(member(*ms, x));
  EXPECT_TRUE(member(*ms, y));
  EXPECT_TRUE(ms->rekey_needed());
  // Members send in A's epoch (no outsider has it); Y has no safe epoch until the rekey.
  EXPECT_EQ(ms->send_epoch(m.key()), rx.epoch);
  EXPECT_EQ(ms->send_epoch(y.key()), std::nullopt);
  EXPECT_EQ(ms->send_epoch(x.key()), std::nullopt);
  // X's records in B's epoch (which still lists X) after the cut are rejected.
  EXPECT_EQ(ms->judge(x.key(), x.writer, 3, iy.epoch), Verdict::removed);
  // Two admins rekey at once: both list the right members; the room settles.
  auto latest = ms->latest_epochs();
  EXPECT_EQ(latest.size(), 2u);
  auto ka = op(a, 2, 600, Action::rekey, {}, Role::none, latest, everyone_but({&x}, {&y}));
  auto kb = op(b, 2, 600, Action::rekey, {}, Role::none, latest, everyone_but({&x}, {&y}));
  ms = every_order({rx, iy, ka, kb});
  EXPECT_FALSE(ms->rekey_needed());
  auto send = ms->send_epoch(y.key());
  ASSERT_TRUE(send);
  EXPECT_TRUE(*send == ka.epoch || *send == kb.epoch);
}

TEST_F(FoldTest, ARemovalIsNeverUndoneByAConcurrentInvite) {
  auto r1 = op(a, 1, 500, Action::remove, x.key(), Role::none, {e0_}, everyone_but({&x}), {{x.writer, 1}});
  auto again = op(a, 2, 600, Action::invite, x.key(), Role::member, {r1.epoch}, everyone_but({}));
  auto r2 = op(b, 1, 550, Action::remove, x.key(), Role::none, {e0_}, everyone_but({&x}), {{x.writer, 1}});
  EXPECT_TRUE(member(*every_order({r1, again}), x));  // re-invited after the removal: back in
  auto ms = every_order({r1, again, r2});
  EXPECT_FALSE(member(*ms, x));  // B's removal did not see the re-invite: X stays out
  // The same when B's removal comes last in the order (larger stamp).
  auto r3 = op(b, 1, 700, Action::remove, x.key(), Role::none, {e0_}, everyone_but({&x}), {{x.writer, 1}});
  EXPECT_FALSE(member(*every_order({r1, again, r3}), x));
}

TEST_F(FoldTest, TheLastOwnerStays) {
  auto self = op(o, 1, 500, Action::remove, o.key(), Role::none, {e0_}, everyone_but({&o}));
  auto ms = every_order({self});
  EXPECT_TRUE(member(*ms, o));
  EXPECT_FALSE(ms->steps()[0].effective);
  // With two owners: neither can remove the other; both leaving or stepping down at once
  // leaves one owner, the same one for every client.
  auto promote = op(o, 1, 200, Action::role, a.key(), Role::owner, {e0_}, everyone_but({}));
  auto oa = op(o, 2, 500, Action::remove, a.key(), Role::none, {promote.epoch}, everyone_but({&a}));
  EXPECT_TRUE(member(*every_order({promote, oa}), a));
  auto ol = op(o, 2, 500, Action::remove, o.key(), Role::none, {promote.epoch}, everyone_but({&o}));
  auto al = op(a, 1, 500, Action::remove, a.key(), Role::none, {promote.epoch}, everyone_but({&a}));
  ms = every_order({promote, ol, al});
  EXPECT_NE(member(*ms, o), member(*ms, a));
  auto od = op(o, 2, 500, Action::role, o.key(), Role::member, {promote.epoch}, everyone_but({}));
  auto ad = op(a, 1, 500, Action::role, a.key(), Role::member, {promote.epoch}, everyone_but({}));
  ms = every_order({promote, od, ad});
  const std::vector<Member> now = ms->members();
  const auto owners = std::count_if(now.begin(), now.end(),
                                    [](const Member& mem) { return mem.role == Role::owner; });
  EXPECT_EQ(owners, 1);
}

TEST_F(FoldTest, ARemovedAdminCannotActAfterTheCutNorFromANewDevice) {
  auto ra = op(o, 1, 500, Action::remove, a.key(), Role::none, {e0_}, everyone_but({&a}), {{a.writer, 3}});
  // A writes after the removal (seq 4 > cut), pretending not to have seen it (parent e0),
  // and backdates its stamp so that it would sort first: the cut still puts it after.
  auto late = op(a, 4, 300, Action::invite, z.key(), Role::member, {e0_}, everyone_but({&a}, {&z}));
  Person new_device;
  new_device.id = a.id.clone();
  auto other = op(new_device, 1, 100, Action::remove, m.key(), Role::none, {e0_}, everyone_but({&a, &m}));
  auto ms = every_order({ra, late, other});
  EXPECT_FALSE(member(*ms, a));
  EXPECT_FALSE(member(*ms, z));
  EXPECT_TRUE(member(*ms, m));
  EXPECT_FALSE(ms->established(late.epoch));
  EXPECT_FALSE(ms->established(other.epoch));
  // A member's message in an epoch nobody with authority made is rejected.
  EXPECT_EQ(ms->judge(m.key(), m.writer, 9, late.epoch), Verdict::no_epoch);
}

TEST_F(FoldTest, MembersCannotInviteAndOnlyOwnersMakeOwners) {
  auto by_member = op(x, 1, 500, Action::invite, y.key(), Role::member, {e0_}, everyone_but({}, {&y}));
  auto admin_owner = op(a, 1, 510, Action::invite, z.key(), Role::owner, {e0_}, everyone_but({}, {&z}));
  auto admin_on_owner = op(b, 1, 520, Action::remove, o.key(), Role::none, {e0_}, everyone_but({&o}));
  auto admin_up = op(a, 2, 530, Action::role, m.key(), Role::owner, {e0_}, everyone_but({}));
  auto ms = every_order({by_member, admin_owner, admin_on_owner, admin_up});
  EXPECT_FALSE(member(*ms, y));
  EXPECT_FALSE(member(*ms, z));
  EXPECT_TRUE(member(*ms, o));
  for (const FoldStep& s : ms->steps()) EXPECT_FALSE(s.authorized);
  // A member may leave.
  auto leave = op(m, 1, 500, Action::remove, m.key(), Role::none, {e0_}, everyone_but({&m}), {{m.writer, 1}});
  EXPECT_FALSE(member(*every_order({leave}), m));
}

TEST_F(FoldTest, RecordsWaitForTheirParents) {
  auto e1 = op(o, 1, 200, Action::invite, y.key(), Role::member, {e0_}, everyone_but({}, {&y}));
  auto e2 = op(o, 2, 300, Action::role, y.key(), Role::admin, {e1.epoch}, everyone_but({}, {&y}));
  Membership ms(genesis_, e0_);
  ms.add(e2);
  EXPECT_EQ(ms.waiting(), 1u);
  EXPECT_FALSE(member(ms, y));
  ms.add(e1);
  EXPECT_EQ(ms.waiting(), 0u);
  EXPECT_EQ(ms.find(y.key())->role, Role::admin);
  EXPECT_FALSE(ms.add(e1));  // a duplicate
}

TEST_F(FoldTest, RivalClaimsOfOneEpochResolveByDigest) {
  auto c1 = op(o, 1, 200, Action::invite, y.key(), Role::member, {e0_}, everyone_but({}, {&y}));
  auto c2 = op(a, 1, 200, Action::invite, z.key(), Role::member, {e0_}, everyone_but({}, {&z}));
  c2.epoch = c1.epoch;
  auto ms = every_order({c1, c2});
  const bool c1_wins = c1.digest < c2.digest;
  EXPECT_EQ(member(*ms, y), c1_wins);
  EXPECT_EQ(member(*ms, z), !c1_wins);
}

TEST_F(FoldTest, SameNamesAreToldApart) {
  auto twin = op(o, 1, 200, Action::invite, y.key(), Role::member, {e0_}, everyone_but({}, {&y}), {}, "ann");
  auto ms = every_order({twin});
  EXPECT_EQ(ms->display_name(y.key()), "ann~" + fingerprint(y.key()));
  EXPECT_EQ(ms->display_name(a.key()), "ann~" + fingerprint(a.key()));
  EXPECT_EQ(ms->display_name(o.key()), "olga");
  EXPECT_EQ(ms->display_name(z.key()), "~" + fingerprint(z.key()));
}

TEST_F(FoldTest, PrepareGivesClearErrorsAndFillsTheChange) {
  Membership ms(genesis_, e0_);
  auto twice = ms.prepare(o.key(), Action::invite, x.key(), Role::member, "xan2");
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, Errc::exists);
  EXPECT_NE(twice.error().detail.find("already a member"), std::string::npos);
  auto last = ms.prepare(a.key(), Action::remove, o.key(), Role::none, "");
  ASSERT_FALSE(last);
  EXPECT_NE(last.error().detail.find("last owner"), std::string::npos) << last.error().detail;
  auto not_allowed = ms.prepare(x.key(), Action::invite, y.key(), Role::member, "yve");
  ASSERT_FALSE(not_allowed);
  EXPECT_EQ(not_allowed.error().code, Errc::permission);
  auto stranger = ms.prepare(y.key(), Action::rekey, {}, Role::none, "");
  ASSERT_FALSE(stranger);
  EXPECT_NE(stranger.error().detail.find("not a member"), std::string::npos);
  auto nobody = ms.prepare(o.key(), Action::remove, y.key(), Role::none, "");
  ASSERT_FALSE(nobody);
  EXPECT_EQ(nobody.error().code, Errc::not_found);
  EXPECT_FALSE(ms.prepare(o.key(), Action::invite, y.key(), Role::member, "bad name"));
  ms.note_writer(x.key(), x.writer, 7);
  auto removal = ms.prepare(a.key(), Action::remove, x.key(), Role::none, "");
  ASSERT_TRUE(removal) << removal.error().detail;
  EXPECT_EQ(removal->recipients.size(), 4u);
  ASSERT_EQ(removal->cut.size(), 1u);
  EXPECT_EQ(removal->cut[0], (CutEntry{x.writer, 7}));
  auto invite = ms.prepare(a.key(), Action::invite, y.key(), Role::member, "yve");
  ASSERT_TRUE(invite);
  EXPECT_EQ(invite->recipients.size(), 6u);
  EXPECT_EQ(ms.find(x.key())->devices, 1u);
}

TEST_F(FoldTest, AHundredMembersFoldQuickly) {
  std::vector<MembershipRecord> records;
  std::vector<PublicKey> members = everyone_but({});
  EpochId parent = e0_;
  std::vector<Person> people(100);
  for (std::size_t i = 0; i < people.size(); ++i) {
    members.push_back(people[i].key());
    records.push_back(op(o, i + 1, 1000 + i, Action::invite, people[i].key(), Role::member, {parent}, members));
    parent = records.back().epoch;
  }
  Membership ms(genesis_, e0_);
  for (auto it = records.rbegin(); it != records.rend(); ++it) ms.add(*it);  // worst order
  EXPECT_EQ(ms.members().size(), 105u);
  EXPECT_EQ(ms.send_epoch(o.key()), parent);
}

}  // namespace
}  // namespace ftpchat
