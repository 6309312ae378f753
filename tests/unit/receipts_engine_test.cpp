// Receipts through the engine, on the in-memory server (docs/FORMAT.md, "Receipts"): a read
// becomes a receipt the sender sees in status and members; it rides on the next message, or
// goes alone after a grace and at most every interval; an idle room costs no request; a mount
// without receipts sends none and shows none; a kind a client does not know is skipped
// silently, as older clients skip receipts.
#include <gtest/gtest.h>

#include "engine_client.hpp"
#include "ftpchat/record/record.hpp"

namespace ftpchat {
namespace {

using testing::count_of;
using testing::MemoryTransport;
using Steady = std::chrono::steady_clock;

// A member who reads (and so has seen) what the log shows, with or without -o receipts.
struct Reader : testing::MemberClient {
  Reader(MemoryTransport& server, const std::string& nick, bool receipts,
         const std::filesystem::path& state)
      : MemberClient(server, nick, std::make_shared<Identity>(Identity::generate()), state,
                     receipts) {}
  std::string read() { return text(); }
  std::string status() {
    auto r = room();
    EXPECT_TRUE(r->sync());
    return r->status_text();
  }
  std::string members() {
    auto r = room();
    EXPECT_TRUE(r->sync());
    return r->members_text();
  }
};

class ReceiptsEngineTest : public testing::StateDirTest {
 protected:
  ReceiptsEngineTest() : StateDirTest("ftpchat-receipts-engine") {}
  void SetUp() override {
    StateDirTest::SetUp();
    alice_ = std::make_unique<Reader>(server_, "alice", true, state_ / "a");
    bob_ = std::make_unique<Reader>(server_, "bob", true, state_ / "b");
    carol_ = std::make_unique<Reader>(server_, "carol", false, state_ / "c");
    ASSERT_TRUE(alice_->engine->create_member_room(
        "team", {{bob_->identity->public_key(), Role::member, "bob"},
                 {carol_->identity->public_key(), Role::member, "carol"}}));
    ASSERT_TRUE(bob_->room() && carol_->room());
    ASSERT_TRUE(bob_->room()->sync() && carol_->room()->sync());
  }

  // Bob's receipt alone: owed now, sent once the grace has passed; uploaded.
  void bob_receipts_alone() {
    auto room = bob_->room();
    room->send_receipt_if_due(t_);
    t_ += Room::kReceiptGrace + std::chrono::seconds(1);
    room->send_receipt_if_due(t_);
    ASSERT_TRUE(room->upload_pending());
  }
  static std::string line_of(const std::string& text, const std::string& key) {
    const auto at = text.find("\n" + key + ": ");
    return at == std::string::npos ? "" : text.substr(at + 1, text.find('\n', at + 1) - at - 1);
  }
  static std::string member_line(const std::string& members, const std::string& name) {
    const auto at = members.find(name + " ");
    return at == std::string::npos ? "" : members.substr(at, members.find('\n', at) - at);
  }

  MemoryTransport server_;
  std::unique_ptr<Reader> alice_, bob_, carol_;
  Steady::time_point t_ = Steady::now();
};

TEST_F(ReceiptsEngineTest, AReadBecomesAReceiptTheSenderSeesInStatusAndMembers) {
  ASSERT_TRUE(alice_->room()->send({"hello team"}));
  EXPECT_EQ(line_of(alice_->status(), "sent 1"), "sent 1: 2026-11-18T11:06:40Z on server: hello team");
  EXPECT_EQ(line_of(alice_->status(), "receipts"), "receipts: on");
  // Member rooms count unread as passphrase rooms do (own messages never), and status names
  // the user as the members do.
  ASSERT_TRUE(bob_->room()->sync());
  EXPECT_EQ(bob_->room()->unread(), 1u);
  EXPECT_EQ(alice_->room()->unread(), 0u);
  EXPECT_EQ(line_of(bob_->status(), "nick"), "nick: bob");
  ASSERT_NE(bob_->read().find("<alice> hello team"), std::string::npos);
  EXPECT_EQ(bob_->room()->unread(), 0u);
  const int appends = server_.appends;
  bob_->room()->send_receipt_if_due(t_);  // owed, within the grace: a reply may carry it
  EXPECT_EQ(server_.appends, appends);
  EXPECT_EQ(bob_->room()->counters().pending, 0u);
  bob_receipts_alone();
  EXPECT_EQ(server_.appends, appends + 1);
  EXPECT_EQ(line_of(alice_->status(), "sent 1"),
            "sent 1: 2026-11-18T11:06:40Z read by 1 (bob): hello team");
  const std::string members = alice_->members();
  EXPECT_NE(member_line(members, "bob").find(" 2026-11-18T11:06:40.000Z "), std::string::npos)
      << members;
  EXPECT_EQ(member_line(members, "carol").substr(member_line(members, "carol").size() - 4), " - -");
  // Nothing in the log: a receipt is never shown, nor counted as a message or rejected.
  EXPECT_EQ(count_of(alice_->read(), "\n"), 1u);
  EXPECT_EQ(line_of(alice_->status(), "records rejected"), "records rejected: 0");
}

TEST_F(ReceiptsEngineTest, AReceiptRidesOnTheReadersNextMessage) {
  ASSERT_TRUE(alice_->room()->send({"question?"}));
  bob_->read();
  const int appends = server_.appends;
  ASSERT_TRUE(bob_->room()->send({"answer!"}));  // one append: the answer and the receipt
  EXPECT_EQ(server_.appends, appends + 1);
  EXPECT_EQ(line_of(alice_->status(), "sent 1"), "sent 1: 2026-11-18T11:06:40Z read by 1 (bob): question?");
  // Nothing more is owed: no receipt alone follows.
  t_ += std::chrono::seconds(60);
  bob_->room()->send_receipt_if_due(t_);
  t_ += std::chrono::seconds(60);
  bob_->room()->send_receipt_if_due(t_);
  EXPECT_EQ(bob_->room()->counters().pending, 0u);
  EXPECT_EQ(server_.appends, appends + 1);
}

TEST_F(ReceiptsEngineTest, AnIdleRoomCostsNoRequestAndReceiptsAloneKeepTheirInterval) {
  ASSERT_TRUE(alice_->room()->send({"one"}));
  bob_->read();
  bob_receipts_alone();
  const int appends = server_.appends;
  for (int i = 0; i < 20; ++i) {  // nothing new read: nothing owed, nothing sent
    t_ += std::chrono::seconds(30);
    bob_->room()->send_receipt_if_due(t_);
  }
  EXPECT_EQ(server_.appends, appends);
  ASSERT_TRUE(alice_->room()->send({"two"}));
  bob_->read();
  const auto first = t_;
  bob_receipts_alone();  // owed after 30 s of quiet: goes after the grace
  EXPECT_EQ(server_.appends, appends + 2);  // alice's "two", bob's receipt
  ASSERT_TRUE(alice_->room()->send({"three"}));
  bob_->read();
  t_ = first + std::chrono::seconds(5);
  bob_->room()->send_receipt_if_due(t_);
  t_ = first + std::chrono::seconds(8);
  bob_->room()->send_receipt_if_due(t_);  // within the interval of the last one alone
  EXPECT_EQ(bob_->room()->counters().pending, 0u);
  t_ = first + Room::kReceiptEvery + std::chrono::seconds(4);
  bob_->room()->send_receipt_if_due(t_);
  EXPECT_EQ(bob_->room()->counters().pending, 1u);
  ASSERT_TRUE(bob_->room()->upload_pending());
  EXPECT_EQ(line_of(alice_->status(), "sent 1"), "sent 1: 2026-11-18T11:06:40Z read by 1 (bob): three");
}

TEST_F(ReceiptsEngineTest, AMountWithoutReceiptsSendsNoneAndShowsNone) {
  ASSERT_TRUE(alice_->room()->send({"for everyone"}));
  carol_->read();
  bob_->read();
  bob_receipts_alone();
  auto carol = carol_->room();
  t_ += std::chrono::seconds(60);
  carol->send_receipt_if_due(t_);
  carol->send_receipt_if_due(t_ + std::chrono::seconds(60), true);
  EXPECT_EQ(carol->counters().writer, "");  // never wrote anything, receipts neither
  EXPECT_EQ(line_of(alice_->status(), "sent 1"),
            "sent 1: 2026-11-18T11:06:40Z read by 1 (bob): for everyone");  // not carol
  // Carol sees none of bob's (reciprocity), and reading them cost her nothing: no rejects.
  ASSERT_TRUE(carol->send({"carol here"}));
  bob_->read();
  bob_receipts_alone();
  const std::string status = carol_->status();
  EXPECT_EQ(line_of(status, "receipts"), "receipts: off");
  EXPECT_EQ(line_of(status, "sent 1"), "sent 1: 2026-11-18T11:06:40Z on server: carol here");
  EXPECT_EQ(line_of(status, "records rejected"), "records rejected: 0");
  EXPECT_EQ(member_line(carol_->members(), "bob").find(" - -"), std::string::npos);
  EXPECT_EQ(count_of(carol_->read(), "-!-"), 0u);
}

// A record of a kind this client does not know (a later version's, as receipts are to an older
// client) in a sealed upload: skipped silently, and the message after it in the same upload is
// shown; nothing is counted as rejected.
TEST_F(ReceiptsEngineTest, AKindTheReaderDoesNotKnowIsSkippedSilently) {
  ASSERT_TRUE(bob_->room()->send({"before"}));
  auto bob = bob_->room();
  const MemberRoom& m = *bob->member();
  const Id128 writer = random_id();  // a second device of bob's
  auto epoch = m.send_epoch();
  ASSERT_TRUE(epoch);
  const std::uint64_t stamp = HybridClock::from_millis(alice_->clock.ms) + 1;
  auto unknown = m.encode(static_cast<RecordKind>(200), *epoch, writer, 1, stamp, "from a later version");
  Message msg;
  msg.id = random_id();
  msg.stamp = stamp + 1;
  msg.body = "after";
  auto payload = v2_message_payload(msg);
  ASSERT_TRUE(unknown && payload);
  auto after = m.encode(RecordKind::message, *epoch, writer, 2, stamp + 1, *payload);
  ASSERT_TRUE(after);
  std::optional<ChainPoint> chain;
  auto lines = m.sealed_lines(writer, {{1, *unknown}, {2, *after}}, chain);
  ASSERT_TRUE(lines);
  std::string period;
  for (const auto& [path, data] : server_.files)
    if (path.ends_with(".w") && path.find(bob->folder()) == 0) period = path.substr(0, path.rfind('/'));
  ASSERT_FALSE(period.empty());
  server_.files[period + "/" + to_hex(writer) + ".w"] = frame_records(*lines);
  for (Reader* r : {alice_.get(), carol_.get()}) {
    const std::string log = r->read();
    EXPECT_NE(log.find("<bob> before"), std::string::npos) << log;
    EXPECT_NE(log.find("<bob> after"), std::string::npos) << log;
    EXPECT_EQ(log.find("later version"), std::string::npos);
    EXPECT_EQ(count_of(log, "-!-"), 0u) << log;
    EXPECT_EQ(line_of(r->status(), "records rejected"), "records rejected: 0");
  }
}

}  // namespace
}  // namespace ftpchat
