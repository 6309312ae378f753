// Period folders (docs/FORMAT.md, "Periods"): writers append under their month's folder,
// polls list only the newest periods, first-edition rooms stay readable, and a writer's
// files in several periods read as one sequence.
#include <gtest/gtest.h>

#include "engine_client.hpp"
#include "ftpchat/room/room_layout.hpp"

namespace ftpchat {
namespace {

using testing::count_of;
using testing::EngineClient;
using testing::MemoryTransport;

constexpr std::int64_t kNov18 = 1795000000000;      // 2026-11-18 11:06:40 UTC
constexpr std::int64_t kDec1 = 1796083200000;       // 2026-12-01 00:00:00 UTC
constexpr std::int64_t kMinute = 60'000;

TEST(RoomLayout, PeriodNames) {
  EXPECT_EQ(layout::period_of(kNov18), "2026-11");
  EXPECT_EQ(layout::period_of(kDec1 - 1), "2026-11");
  EXPECT_EQ(layout::period_of(kDec1), "2026-12");
  EXPECT_EQ(layout::period_of(0), "1970-01");
  EXPECT_TRUE(layout::is_period_folder("2026-11"));
  EXPECT_TRUE(layout::is_period_folder("1999-01"));
  EXPECT_FALSE(layout::is_period_folder("2026-13"));
  EXPECT_FALSE(layout::is_period_folder("2026-00"));
  EXPECT_FALSE(layout::is_period_folder("2026-1"));
  EXPECT_FALSE(layout::is_period_folder("2026_11"));
  EXPECT_FALSE(layout::is_period_folder("20a6-11"));
  EXPECT_FALSE(layout::is_period_folder("2026-110"));
}

TEST(SeqSetTest, RangesMergeAndDuplicatesAreFound) {
  SeqSet s;
  EXPECT_TRUE(s.insert(1));
  EXPECT_TRUE(s.insert(2));
  EXPECT_TRUE(s.insert(5));
  EXPECT_FALSE(s.insert(2));
  EXPECT_EQ(s.ranges(), 2u);
  EXPECT_TRUE(s.insert(4));
  EXPECT_TRUE(s.insert(3));  // joins 1-2 and 4-5
  EXPECT_EQ(s.ranges(), 1u);
  EXPECT_EQ(s.highest(), 5u);
  for (std::uint64_t i = 1; i <= 5; ++i) EXPECT_FALSE(s.insert(i)) << i;
  EXPECT_FALSE(s.contains(6));
  EXPECT_TRUE(s.insert(100));
  EXPECT_TRUE(s.contains(100));
  EXPECT_FALSE(s.contains(99));
  EXPECT_EQ(s.highest(), 100u);
}

class RoomPeriodsTest : public testing::TwoClientTest {
 protected:
  RoomPeriodsTest() : TwoClientTest("ftpchat-periods-test") {}
  std::vector<std::string> writer_files() {
    std::vector<std::string> out;
    for (const auto& [path, data] : server_.files)
      if (path.ends_with(".w")) out.push_back(path.substr(folder().size() + 1));
    return out;
  }
  void set_time(std::int64_t ms) {
    alice_->clock.ms = ms;
    bob_->clock.ms = ms;
  }
};

TEST_F(RoomPeriodsTest, WritersAppendUnderTheirMonthAndReadersFollow) {
  ASSERT_TRUE(alice_->room("r")->send({"november"}));
  const std::string alice = alice_->room("r")->counters().writer;
  EXPECT_EQ(writer_files(), std::vector<std::string>{"2026-11/" + alice + ".w"});
  EXPECT_NE(bob_->text("r").find("<alice> november"), std::string::npos);

  set_time(kDec1 + 2 * kMinute);
  ASSERT_TRUE(alice_->room("r")->send({"december"}));
  EXPECT_EQ(writer_files(),
            (std::vector<std::string>{"2026-11/" + alice + ".w", "2026-12/" + alice + ".w"}));
  const std::string log = bob_->text("r");
  EXPECT_NE(log.find("<alice> december"), std::string::npos) << log;
  EXPECT_EQ(bob_->room("r")->counters().missing, 0u);  // seq 2 continues seq 1's file
  EXPECT_EQ(bob_->room("r")->counters().duplicates, 0u);
}

TEST_F(RoomPeriodsTest, QuietPollsListOnlyTheNewestPeriod) {
  for (const char* old : {"2026-09", "2026-10"}) server_.dirs.insert(folder() + "/" + old);
  ASSERT_TRUE(alice_->room("r")->send({"hi"}));
  server_.listed.clear();
  ASSERT_NE(bob_->text("r").find("<alice> hi"), std::string::npos);
  EXPECT_EQ(server_.listed,  // the first sync reads every period
            (std::vector<std::string>{folder(), folder() + "/2026-09", folder() + "/2026-10",
                                      folder() + "/2026-11"}));
  set_time(kNov18 + 20 * kMinute);  // far from a month's change
  server_.listed.clear();
  ASSERT_TRUE(bob_->room("r")->sync());  // a minute passed: full, the two newest periods
  EXPECT_EQ(server_.listed, (std::vector<std::string>{folder(), folder() + "/2026-10",
                                                      folder() + "/2026-11"}));
  server_.listed.clear();
  ASSERT_TRUE(bob_->room("r")->sync());
  ASSERT_TRUE(bob_->room("r")->sync());
  EXPECT_EQ(server_.listed,
            (std::vector<std::string>{folder() + "/2026-11", folder() + "/2026-11"}));
  // Near the change of month every poll is full, whatever the clock of the last one.
  set_time(kDec1 - 2 * kMinute);
  ASSERT_TRUE(bob_->room("r")->sync());
  server_.listed.clear();
  ASSERT_TRUE(bob_->room("r")->sync());
  EXPECT_EQ(server_.listed.front(), folder());
}

TEST_F(RoomPeriodsTest, AWriterBehindTheNewestPeriodJoinsIt) {
  // Bob's clock still says November; Alice already writes in December.
  alice_->clock.ms = kDec1 + 10 * kMinute;
  ASSERT_TRUE(alice_->room("r")->send({"from december"}));
  bob_->clock.ms = kNov18;
  ASSERT_NE(bob_->text("r").find("from december"), std::string::npos);
  ASSERT_TRUE(bob_->room("r")->send({"bob writes"}));
  const std::string bob = bob_->room("r")->counters().writer;
  bool in_december = false;
  for (const std::string& f : writer_files()) in_december |= f == "2026-12/" + bob + ".w";
  EXPECT_TRUE(in_december);
}

TEST_F(RoomPeriodsTest, FirstEditionRoomsWithWritersBesideTheHeaderStayReadable) {
  ASSERT_TRUE(alice_->room("r")->send({"one"}));
  ASSERT_TRUE(alice_->room("r")->send({"two"}));
  // Move Alice's file beside the header, as the first edition of the format wrote it.
  const std::string alice = alice_->room("r")->counters().writer;
  const std::string period_file = folder() + "/2026-11/" + alice + ".w";
  server_.files[folder() + "/" + alice + ".w"] = server_.files[period_file];
  server_.files.erase(period_file);
  server_.dirs.erase(folder() + "/2026-11");
  EngineClient carol(server_, "carol", state_ / "c");
  ASSERT_TRUE(carol.engine->start());
  const std::string log = carol.text("r");
  EXPECT_NE(log.find("<alice> one"), std::string::npos) << log;
  EXPECT_NE(log.find("<alice> two"), std::string::npos) << log;
  // A first-edition writer still appending there is seen by later polls too.
  server_.files[folder() + "/" + alice + ".w"] += server_.files[folder() + "/" + alice + ".w"];
  (void)carol.text("r");  // the duplicates are dropped, and the file counts as active
  server_.listed.clear();
  (void)carol.room("r")->sync();
  EXPECT_EQ(server_.listed.front(), folder());
}

TEST_F(RoomPeriodsTest, ARecordCopiedIntoAnotherFileOfTheWriterIsADuplicate) {
  ASSERT_TRUE(alice_->room("r")->send({"only once"}));
  const std::string alice = alice_->room("r")->counters().writer;
  const std::string nov = server_.files[folder() + "/2026-11/" + alice + ".w"];
  server_.dirs.insert(folder() + "/2026-12");
  server_.files[folder() + "/2026-12/" + alice + ".w"] = nov;  // replayed by the server
  const std::string log = bob_->text("r");
  EXPECT_EQ(count_of(log, "<alice> only once"), 1u) << log;
  EXPECT_EQ(bob_->room("r")->counters().duplicates, 1u);
}

TEST_F(RoomPeriodsTest, AnOlderFileReadAfterANewerOneStillDelivers) {
  // Seq 3 lands in December before a reader has seen seq 2 in November: both show.
  ASSERT_TRUE(alice_->room("r")->send({"zero"}));
  ASSERT_NE(bob_->text("r").find("<alice> zero"), std::string::npos);
  ASSERT_TRUE(alice_->room("r")->send({"first"}));
  const std::string alice = alice_->room("r")->counters().writer;
  const std::string nov_path = folder() + "/2026-11/" + alice + ".w";
  const std::string nov = server_.files[nov_path];
  server_.files.erase(nov_path);  // hidden for a while (as if not listed yet)
  set_time(kDec1 + 30 * kMinute);
  ASSERT_TRUE(alice_->room("r")->send({"second"}));
  std::string log = bob_->text("r");
  ASSERT_NE(log.find("<alice> second"), std::string::npos) << log;
  server_.files[nov_path] = nov;
  set_time(kDec1 + 32 * kMinute);  // next full sync lists November again (the previous one)
  log = bob_->text("r");
  EXPECT_NE(log.find("<alice> first"), std::string::npos) << log;
  EXPECT_EQ(bob_->room("r")->counters().duplicates, 0u);
  EXPECT_EQ(bob_->room("r")->counters().missing, 0u);
}

TEST_F(RoomPeriodsTest, AServerRefusingFoldersGetsWriterFilesBesideTheHeader) {
  server_.refuse_make_dirs = true;
  ASSERT_TRUE(alice_->room("r")->send({"no folders here"}));
  ASSERT_TRUE(alice_->room("r")->send({"still none"}));
  const std::string alice = alice_->room("r")->counters().writer;
  EXPECT_EQ(writer_files(), std::vector<std::string>{alice + ".w"});
  const std::string log = bob_->text("r");
  EXPECT_NE(log.find("<alice> no folders here"), std::string::npos) << log;
  EXPECT_NE(log.find("<alice> still none"), std::string::npos) << log;
}

TEST_F(RoomPeriodsTest, AFolderThatFailsToAppearIsTriedAgainNotSkipped) {
  server_.fail_next_make_dirs = 1;  // a dropped connection, not a refusal
  EXPECT_FALSE(alice_->room("r")->send({"first try fails"}));
  ASSERT_TRUE(alice_->room("r")->upload_pending());  // the sender's next attempt
  const std::string alice = alice_->room("r")->counters().writer;
  EXPECT_EQ(writer_files(), std::vector<std::string>{"2026-11/" + alice + ".w"});
  EXPECT_NE(bob_->text("r").find("<alice> first try fails"), std::string::npos);
}

}  // namespace
}  // namespace ftpchat
