// Member rooms through the engine, on the in-memory server: two members chat under their
// names, an outsider reads nothing, forged and post-removal records are rejected, a later
// invitee reads the history, a second device shows as the same person, and errors are clear.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine_client.hpp"
#include "ftpchat/identity/public_id.hpp"
#include "ftpchat/room/room_layout.hpp"

namespace ftpchat {
namespace {

using testing::count_of;
using testing::FixedClock;
using testing::MemoryTransport;
using testing::SharedMemoryTransport;

// One user of the in-memory server with an identity and no passphrase.
using Member = testing::MemberClient;

class MemberRoomEngineTest : public testing::StateDirTest {
 protected:
  MemberRoomEngineTest() : StateDirTest("ftpchat-member-engine") {}
  void SetUp() override {
    StateDirTest::SetUp();
    alice_ = make("alice", alice_id_);
    bob_ = make("bob", bob_id_);
    ASSERT_TRUE(alice_->engine->create_member_room(
        "team", {{bob_id_->public_key(), Role::member, "bob"}}));
  }
  std::unique_ptr<Member> make(const std::string& nick, std::shared_ptr<const Identity> id) {
    return std::make_unique<Member>(server_, nick, std::move(id), state_ / (nick + std::to_string(++n_)));
  }
  std::string folder() { return alice_->room()->folder(); }
  // The room's writer file of a member's device.
  std::string& file_of(Member& m) {
    const std::string hex = m.room()->counters().writer;
    for (auto& [path, data] : server_.files)
      if (path.find(hex) != std::string::npos && path.ends_with(".w")) return data;
    return server_.files["missing"];
  }

  MemoryTransport server_;
  int n_ = 0;
  std::shared_ptr<const Identity> alice_id_ = std::make_shared<Identity>(Identity::generate());
  std::shared_ptr<const Identity> bob_id_ = std::make_shared<Identity>(Identity::generate());
  std::shared_ptr<const Identity> carol_id_ = std::make_shared<Identity>(Identity::generate());
  std::unique_ptr<Member> alice_, bob_;
};

TEST_F(MemberRoomEngineTest, MembersChatUnderTheirNamesAndOutsidersReadNothing) {
  ASSERT_TRUE(alice_->room()->send({"hello bob"}));
  ASSERT_NE(bob_->room(), nullptr);
  ASSERT_TRUE(bob_->room()->send({"hi alice"}));
  const std::string log = alice_->text();
  EXPECT_NE(log.find("<alice> hello bob"), std::string::npos) << log;
  EXPECT_NE(log.find("<bob> hi alice"), std::string::npos) << log;
  EXPECT_NE(bob_->text().find("<alice> hello bob"), std::string::npos);
  const std::string json = bob_->room()->read_jsonl(0, 1 << 20);
  EXPECT_NE(json.find("\"from\":\"alice\",\"signer\":\"" + alice_->id() + "\""), std::string::npos) << json;
  EXPECT_EQ(alice_->room()->counters().rejected, 0u);
  // Carol has a valid identity and the server's password, but no key: the room is not hers.
  auto carol = make("carol", carol_id_);
  auto entry = carol->engine->find(folder(), std::chrono::milliseconds(0));
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->room, nullptr);
  EXPECT_NE(entry->unreadable_reason.find("not a member"), std::string::npos) << entry->unreadable_reason;
  EXPECT_NE(alice_->room()->members_text().find("bob ftpchat1" + fingerprint(bob_id_->public_key()) + " member 1 "),
            std::string::npos) << alice_->room()->members_text();
  EXPECT_NE(alice_->room()->status_text().find("you are: alice (owner)"), std::string::npos);
}

TEST_F(MemberRoomEngineTest, ARecordClaimingToBeAnotherMemberIsRejectedByEveryReader) {
  ASSERT_TRUE(alice_->room()->send({"real alice"}));
  ASSERT_TRUE(bob_->room()->send({"bob"}));
  // Bob appends a run to alice's writer file, sealed with his own key, in the current epoch.
  std::string& alices = file_of(*alice_);
  std::string bobs_line;
  {
    std::size_t end = file_of(*bob_).find('\n', 1);
    bobs_line = file_of(*bob_).substr(1, end - 1);  // bob's first record (his message)
  }
  alices += "\n" + bobs_line + "\n";  // moved into alice's file: fails authentication
  // A modified client: bob writes a run in a writer file of his own whose seal names alice
  // as the signer, signed with bob's key (he does not have alice's).
  const MemberRoom& bm = *bob_->room()->member();
  const Id128 forged_writer = random_id();
  const EpochId epoch = bm.send_epoch().value();
  Message msg;
  msg.id = random_id();
  msg.body = "I am alice, trust me";
  const std::string content = v2_content(RecordKind::message, 1, 1ull << 40, v2_message_payload(msg).value());
  const Id128 room = alice_->room()->opened().header.room_id;
  std::optional<ChainPoint> chain;
  SealPayload seal = seal_records(bm.me(), room, forged_writer, 1, {{epoch, content}}, chain);
  seal.signer = alice_id_->public_key();
  const std::string record = encode_record_v2(*bm.keys().epoch(epoch), epoch, room, forged_writer,
                                              content, encode_seal(seal));
  server_.files[folder() + "/" + layout::period_of(alice_->clock.ms) + "/" + layout::writer_file(forged_writer)] =
      "\n" + record + "\n";
  ASSERT_TRUE(alice_->room()->send({"still alice"}));
  for (Member* reader : {alice_.get(), bob_.get()}) {
    const std::string log = reader->text();
    EXPECT_EQ(count_of(log, "<bob> bob"), 1u) << log;
    EXPECT_EQ(count_of(log, "<alice> real alice"), 1u) << log;
    EXPECT_EQ(count_of(log, "<alice> still alice"), 1u) << log;
    EXPECT_EQ(log.find("trust me"), std::string::npos) << log;
    EXPECT_GE(reader->room()->counters().rejected, 2u);
    EXPECT_NE(log.find("signature does not verify"), std::string::npos) << log;
  }
}

TEST_F(MemberRoomEngineTest, AfterRemovalTheRemovedMemberReadsNothingNewAndIsRejected) {
  ASSERT_TRUE(bob_->room()->send({"before removal"}));
  ASSERT_TRUE(alice_->room()->change_membership(Action::remove, "bob"));
  ASSERT_TRUE(alice_->room()->send({"secret after removal"}));
  // Bob's client does not know yet: it still sends in the old epoch.
  ASSERT_TRUE(bob_->room()->send({"bob after removal"}));
  const std::string bob_log = bob_->text();
  EXPECT_EQ(bob_log.find("secret after removal"), std::string::npos) << bob_log;
  EXPECT_GT(bob_->room()->counters().unreadable, 0u);
  // Carol, invited after, reads alice's later messages and nothing bob wrote after removal.
  ASSERT_TRUE(alice_->room()->change_membership(Action::invite,
                                                format_public_id(carol_id_->public_key()),
                                                Role::member, "carol"));
  auto carol = make("carol", carol_id_);
  const std::string carol_log = carol->text();
  EXPECT_NE(carol_log.find("<bob> before removal"), std::string::npos) << carol_log;
  EXPECT_NE(carol_log.find("<alice> secret after removal"), std::string::npos) << carol_log;
  EXPECT_EQ(carol_log.find("bob after removal"), std::string::npos) << carol_log;
  EXPECT_NE(carol_log.find("-!- alice removed bob"), std::string::npos) << carol_log;
  EXPECT_NE(carol_log.find("-!- alice invited carol"), std::string::npos) << carol_log;
  EXPECT_EQ(carol->room()->counters().rejected, 1u);
  const std::string alice_log = alice_->text();
  EXPECT_EQ(alice_log.find("bob after removal"), std::string::npos) << alice_log;
}

// room/room_own_file.cpp in a member room: sealed uploads are taken by our own cursor (the
// seal verifies there too), and our own membership change counts at once, unread.
TEST_F(MemberRoomEngineTest, OwnRecordsAreNotReadBackAndOwnChangesCountAtOnce) {
  ASSERT_TRUE(alice_->room()->send({"one"}));
  ASSERT_TRUE(alice_->room()->sync());
  ASSERT_TRUE(alice_->room()->send({"two"}));
  ASSERT_TRUE(alice_->room()->change_membership(
      Action::invite, format_public_id(carol_id_->public_key()), Role::member, "carol"));
  ASSERT_TRUE(alice_->room()->send({"three"}));
  ASSERT_TRUE(alice_->room()->sync());
  const std::string hex = alice_->room()->counters().writer;
  const auto own_reads = std::count_if(
      server_.read_paths.begin(), server_.read_paths.end(),
      [&](const std::string& p) { return p.find(hex) != std::string::npos; });
  EXPECT_EQ(own_reads, 0) << "alice downloaded her own writer file";
  EXPECT_NE(alice_->room()->members_text().find("carol "), std::string::npos)
      << alice_->room()->members_text();
  const std::string alice_log = alice_->room()->read_log(0, 1 << 20);
  EXPECT_EQ(count_of(alice_log, "-!- alice invited carol"), 1u) << alice_log;
  EXPECT_EQ(alice_->room()->counters().rejected, 0u);
  auto carol = make("carol", carol_id_);
  for (Member* m : {bob_.get(), carol.get()}) {
    const std::string log = m->text();
    for (const char* line : {"<alice> one\n", "<alice> two\n", "<alice> three\n"})
      EXPECT_EQ(count_of(log, line), 1u) << line << log;
    EXPECT_EQ(m->room()->counters().rejected, 0u);
  }
}

TEST_F(MemberRoomEngineTest, ASecondDeviceOfOneIdentityIsTheSamePerson) {
  auto laptop = make("alice-laptop", alice_id_);  // same identity, own state: another writer id
  ASSERT_NE(laptop->room(), nullptr);
  ASSERT_TRUE(laptop->room()->send({"from the laptop"}));
  ASSERT_TRUE(alice_->room()->send({"from the desktop"}));
  const std::string log = bob_->text();
  EXPECT_NE(log.find("<alice> from the laptop"), std::string::npos) << log;
  EXPECT_NE(log.find("<alice> from the desktop"), std::string::npos) << log;
  EXPECT_NE(bob_->room()->members_text().find(" owner 2 "), std::string::npos)
      << bob_->room()->members_text();
}

TEST_F(MemberRoomEngineTest, MembershipErrorsAreClear) {
  auto twice = alice_->room()->change_membership(Action::invite, format_public_id(bob_id_->public_key()),
                                                 Role::member, "bob2");
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().detail.find("already a member"), std::string::npos);
  auto last = alice_->room()->change_membership(Action::remove, "alice");
  ASSERT_FALSE(last);
  EXPECT_NE(last.error().detail.find("last owner"), std::string::npos);
  auto malformed = alice_->room()->change_membership(Action::invite, "ftpchat1nonsense", Role::member, "x");
  ASSERT_FALSE(malformed);
  EXPECT_NE(malformed.error().detail.find("characters instead of 56"), std::string::npos);
  auto by_member = bob_->room()->change_membership(Action::invite, format_public_id(carol_id_->public_key()),
                                                   Role::member, "carol");
  ASSERT_FALSE(by_member);
  EXPECT_EQ(by_member.error().code, Errc::permission);
  auto nobody = alice_->room()->change_membership(Action::remove, "zed");
  ASSERT_FALSE(nobody);
  EXPECT_EQ(nobody.error().code, Errc::not_found);
}

TEST_F(MemberRoomEngineTest, PassphraseAndMemberRoomsLiveSideBySide) {
  EngineConfig cfg;
  cfg.nick = "dora";
  cfg.state_dir = state_ / "dora";
  cfg.identity = alice_id_;
  Logger log("test", LogLevel::error);
  FixedClock clock;
  ChatEngine both(std::make_unique<SharedMemoryTransport>(server_), cfg, SecretBytes::from("pw"), log, clock);
  ASSERT_TRUE(both.start());
  ASSERT_TRUE(both.create_room("plain"));  // with a passphrase: a passphrase room
  auto plain = both.find("plain", std::chrono::milliseconds(0));
  ASSERT_TRUE(plain && plain->room);
  EXPECT_EQ(plain->room->member(), nullptr);
  ASSERT_TRUE(plain->room->send({"in the passphrase room"}));
  auto team = both.find("team", std::chrono::milliseconds(0));
  ASSERT_TRUE(team && team->room);
  ASSERT_TRUE(team->room->send({"in the member room"}));
  EXPECT_NE(alice_->text().find("<alice> in the member room"), std::string::npos);
  // Without the passphrase, the passphrase room is listed but unreadable; the member room works.
  auto plain_for_alice = alice_->engine->find("plain", std::chrono::milliseconds(0));
  EXPECT_FALSE(plain_for_alice);  // its name is secret: only its folder id shows
}

}  // namespace
}  // namespace ftpchat
