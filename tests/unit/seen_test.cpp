// Seen and unread: the pure SeenTracker, the state folder's seen file (in place, damaged,
// merged), and a Room whose reads mark messages seen across engines (remounts).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "engine_client.hpp"
#include "ftpchat/room/seen_file.hpp"
#include "ftpchat/room/seen_tracker.hpp"
#include "test_ids.hpp"

namespace ftpchat {
namespace {

Id128 writer(int n) { return testing::writer_id(n); }

// Three messages of writer 1 and one of writer 2, each line 10 bytes of log and 20 of jsonl.
SeenTracker four_messages() {
  SeenTracker t;
  t.add(writer(1), 1, 10, 20);
  t.add(writer(2), 1, 20, 40);
  t.add(writer(1), 2, 30, 60);
  t.add(writer(1), 3, 40, 80);
  return t;
}

TEST(SeenTracker, AReadMarksEveryMessageWhoseLineItReturnedWhole) {
  SeenTracker t = four_messages();
  EXPECT_EQ(t.unread(), 4u);
  t.read_log_to(25);  // the second line whole, the third cut off
  EXPECT_EQ(t.unread(), 2u);
  EXPECT_EQ(t.seen().at(writer(1)), 1u);
  EXPECT_EQ(t.seen().at(writer(2)), 1u);
  t.read_log_to(29);
  EXPECT_EQ(t.unread(), 2u);
  t.read_log_to(30);
  EXPECT_EQ(t.unread(), 1u);
  t.read_log_to(5);  // an earlier read moves nothing back
  EXPECT_EQ(t.unread(), 1u);
  EXPECT_EQ(t.seen().at(writer(1)), 2u);
}

TEST(SeenTracker, ReadsOfLogJsonlCountInTheirOwnOffsets) {
  SeenTracker t = four_messages();
  t.read_jsonl_to(60);
  EXPECT_EQ(t.unread(), 1u);
  t.read_log_to(40);
  EXPECT_EQ(t.unread(), 0u);
  EXPECT_EQ(t.seen().at(writer(1)), 3u);
}

TEST(SeenTracker, OwnWritersAndMessagesSeenBeforeAreNeverUnread) {
  SeenTracker t;
  t.restore({{writer(2), 5}});
  t.add_own(writer(9));
  t.add(writer(9), 1, 10, 10);  // ours
  t.add(writer(2), 5, 20, 20);  // seen in an earlier session
  t.add(writer(2), 6, 30, 30);
  EXPECT_EQ(t.unread(), 1u);
  t.read_log_to(30);
  EXPECT_EQ(t.unread(), 0u);
  EXPECT_EQ(t.seen().count(writer(9)), 0u);
  EXPECT_EQ(t.seen().at(writer(2)), 6u);
}

TEST(SeenTracker, ChangesGrowOnlyWhenAWatermarkMoves) {
  SeenTracker t = four_messages();
  const auto before = t.changes();
  t.read_log_to(5);
  EXPECT_EQ(t.changes(), before);
  t.read_log_to(40);
  EXPECT_GT(t.changes(), before);
  const auto after = t.changes();
  t.read_log_to(100);
  EXPECT_EQ(t.changes(), after);
}

TEST(SeenTracker, AMillionUnseenMessagesTakeAFewBytesEachAndDrainInOrder) {
  SeenTracker t;
  std::uint64_t end = 0;
  for (std::uint64_t i = 1; i <= 1'000'000; ++i) {
    end += 60 + i % 40;
    t.add(writer(static_cast<int>(i % 7)), i, end, end * 2);
  }
  EXPECT_EQ(t.unread(), 1'000'000u);
  EXPECT_LT(t.queued_bytes(), 8u * 1'000'000u);
  t.read_log_to(end / 2);
  EXPECT_GT(t.unread(), 400'000u);
  EXPECT_LT(t.unread(), 600'000u);
  t.read_jsonl_to(end * 2);
  EXPECT_EQ(t.unread(), 0u);
  EXPECT_EQ(t.queued_bytes(), 0u);
  EXPECT_EQ(t.seen().at(writer(0)), 999'999u);  // the last multiple of 7
}

class SeenFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::test_state_dir("seen-file");
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string contents() {
    std::ifstream in(dir_ / "room" / "seen", std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::filesystem::path dir_;
};

TEST_F(SeenFileTest, SavedMarksLoadBackAndMovingOneRewritesItsLineInPlace) {
  const SeenFile file(dir_ / "room" / "seen");
  EXPECT_TRUE(file.load().empty());  // missing: nothing seen
  ASSERT_TRUE(file.save({{writer(1), 3}, {writer(2), 7}}));
  EXPECT_EQ(file.load(), (SeenTracker::Watermarks{{writer(1), 3}, {writer(2), 7}}));
  EXPECT_EQ(contents().size(), 2 * SeenFile::kLineBytes);
  EXPECT_EQ(std::filesystem::status(dir_ / "room").permissions(), std::filesystem::perms::owner_all);
  struct stat before {};
  ASSERT_EQ(::stat(file.path().c_str(), &before), 0);
  ASSERT_TRUE(file.save({{writer(1), 12345}, {writer(2), 7}}));
  struct stat after {};
  ASSERT_EQ(::stat(file.path().c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);  // the same file, written in place
  EXPECT_EQ(after.st_size, before.st_size);
  EXPECT_EQ(file.load().at(writer(1)), 12345u);
  EXPECT_EQ(contents().substr(0, SeenFile::kLineBytes),
            to_hex(writer(1)) + " 00000000000000012345\n");
}

TEST_F(SeenFileTest, SavingNeverMovesAMarkBackAndKeepsOtherWriters) {
  const SeenFile file(dir_ / "room" / "seen");
  ASSERT_TRUE(file.save({{writer(1), 9}, {writer(3), 4}}));
  ASSERT_TRUE(file.save({{writer(1), 5}, {writer(2), 2}}));  // another program saw less of 1
  EXPECT_EQ(file.load(), (SeenTracker::Watermarks{{writer(1), 9}, {writer(2), 2}, {writer(3), 4}}));
}

TEST_F(SeenFileTest, DamagedOrTornLinesAreSkippedAndReused) {
  const SeenFile file(dir_ / "room" / "seen");
  ASSERT_TRUE(file.save({{writer(1), 9}}));
  {
    std::ofstream out(file.path(), std::ios::binary | std::ios::app);
    out << std::string(SeenFile::kLineBytes, 'x') << to_hex(writer(2)) << " 0000";  // torn
  }
  EXPECT_EQ(file.load(), (SeenTracker::Watermarks{{writer(1), 9}}));
  ASSERT_TRUE(file.save({{writer(2), 3}, {writer(4), 8}}));
  EXPECT_EQ(file.load(), (SeenTracker::Watermarks{{writer(1), 9}, {writer(2), 3}, {writer(4), 8}}));
  EXPECT_EQ(contents().size(), 3 * SeenFile::kLineBytes);  // the bad slots were written over
}

// Through the engine: reads mark seen, a new engine on the same state folder (a remount)
// remembers, and only others' messages count.
class UnreadEngineTest : public testing::TwoClientTest {
 protected:
  UnreadEngineTest() : TwoClientTest("unread-engine") {}
};

TEST_F(UnreadEngineTest, ReadsMarkSeenAndARemountRemembers) {
  ASSERT_TRUE(alice_->room("r")->send({"one", "two"}));
  auto room = bob_->room("r");
  ASSERT_TRUE(room->sync());
  EXPECT_EQ(room->unread(), 2u);
  EXPECT_EQ(bob_->engine->unread_summary(), "2 r\n");
  const std::string log = room->read_log(0, 1 << 20, /*peek=*/true);
  EXPECT_EQ(room->unread(), 2u);  // a peek marks nothing
  (void)room->read_log(0, log.find('\n') + 1);
  EXPECT_EQ(room->unread(), 1u);
  (void)room->read_log(log.size() - 1, 10);  // tail: the end marks everything before it
  EXPECT_EQ(room->unread(), 0u);
  EXPECT_EQ(bob_->engine->unread_summary(), "");
  ASSERT_TRUE(room->send({"bob's own line"}));
  ASSERT_TRUE(room->sync());
  EXPECT_EQ(room->unread(), 0u);  // ours
  room.reset();
  bob_ = std::make_unique<testing::EngineClient>(server_, "bob", state_ / "b");  // remount
  ASSERT_TRUE(bob_->engine->start());
  room = bob_->room("r");
  ASSERT_TRUE(room->sync());
  EXPECT_EQ(room->unread(), 0u);
  ASSERT_TRUE(alice_->room("r")->send({"three"}));
  ASSERT_TRUE(room->sync());
  EXPECT_EQ(room->unread(), 1u);
  EXPECT_NE(room->status_text().find("\nunread: 1\n"), std::string::npos);
  EXPECT_NE(room->status_text().find("\nnick: bob\n"), std::string::npos);
  const std::string json = room->read_jsonl(0, 1 << 20);
  EXPECT_EQ(room->unread(), 0u);
  EXPECT_NE(json.find("three"), std::string::npos);
}

TEST_F(UnreadEngineTest, OwnHistoryFromAnEarlierSessionIsNotUnread) {
  ASSERT_TRUE(bob_->room("r")->send({"bob before"}));
  bob_ = std::make_unique<testing::EngineClient>(server_, "bob", state_ / "b");
  ASSERT_TRUE(bob_->engine->start());
  auto room = bob_->room("r");
  ASSERT_TRUE(room->sync());  // no send yet in this session: the writer id is from the state folder
  EXPECT_EQ(room->unread(), 0u);
}

TEST_F(UnreadEngineTest, StatusSaysWhatBecameOfTheLastMessagesSent) {
  auto room = alice_->room("r");
  ASSERT_TRUE(room->send({"one", "two", "three \x1b[31m and a long tail that goes on well past the sixty bytes shown"}));
  ASSERT_TRUE(room->enqueue({"four"}));  // no background sender here: it stays queued
  const std::string status = room->status_text();
  EXPECT_NE(status.find("\nsent 1: 2026-11-18T11:06:40Z queued: four\n"), std::string::npos) << status;
  EXPECT_NE(status.find("\nsent 2: 2026-11-18T11:06:40Z on server: three ^[[31m and a long tail "
                        "that goes on well past the sixt\u2026\n"),
            std::string::npos)
      << status;
  EXPECT_NE(status.find("\nsent 3: 2026-11-18T11:06:40Z on server: two\n"), std::string::npos);
  EXPECT_EQ(status.find("\nsent 4:"), std::string::npos);  // only the last three
  ASSERT_TRUE(room->upload_pending());
  EXPECT_NE(room->status_text().find("\nsent 1: 2026-11-18T11:06:40Z on server: four\n"),
            std::string::npos);
}

}  // namespace
}  // namespace ftpchat
