// A client never downloads its own records back (room/room_own_file.cpp): acknowledged
// appends are taken by our own cursor, the file is read only when we cannot vouch for it (a
// failed append, a late one landing before ours, a new mount), and exactly-once holds
// throughout. Against the in-memory server, which logs every file read.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "engine_client.hpp"

namespace ftpchat {
namespace {

using testing::count_of;
using testing::EngineClient;
using testing::MemoryTransport;

class OwnFileTest : public testing::StateDirTest {
 protected:
  OwnFileTest() : StateDirTest("ftpchat-own-file-test") {}
  void SetUp() override {
    StateDirTest::SetUp();
    alice_ = std::make_unique<EngineClient>(server_, "alice", state_ / "a", "pw", state_ / "cache");
    ASSERT_TRUE(alice_->engine->start());
    ASSERT_TRUE(alice_->engine->create_room("r"));
  }
  void TearDown() override {
    alice_.reset();
    StateDirTest::TearDown();
  }
  std::shared_ptr<Room> room() { return alice_->room("r"); }
  // Alice's writer file on the server ("" before her first append).
  std::string own_file() {
    const std::string hex = room()->counters().writer;
    for (const auto& [path, data] : server_.files)
      if (!hex.empty() && path.find(hex) != std::string::npos && path.ends_with(".w")) return path;
    return "";
  }
  std::size_t own_reads() {
    const std::string path = own_file();
    return static_cast<std::size_t>(
        std::count(server_.read_paths.begin(), server_.read_paths.end(), path));
  }
  // Each message once, in this order, in `log`.
  static void expect_once_in_order(const std::string& log, const std::vector<std::string>& lines) {
    std::size_t last = 0;
    for (const std::string& line : lines) {
      EXPECT_EQ(count_of(log, "<alice> " + line + "\n"), 1u) << line << "\n" << log;
      const auto at = log.find("<alice> " + line + "\n");
      EXPECT_GE(at, last) << line << " out of order\n" << log;
      last = at == std::string::npos ? last : at;
    }
  }
  std::string bob_log() {
    EngineClient bob(server_, "bob", state_ / "b");
    EXPECT_TRUE(bob.engine->start());
    return bob.text("r");
  }

  MemoryTransport server_;
  std::unique_ptr<EngineClient> alice_;
};

TEST_F(OwnFileTest, AcknowledgedAppendsAreNeverDownloadedBack) {
  ASSERT_TRUE(room()->send({"one"}));
  ASSERT_TRUE(room()->sync());
  ASSERT_TRUE(room()->send({"two", "three"}));
  ASSERT_TRUE(room()->sync());
  ASSERT_TRUE(room()->send({"four"}));
  ASSERT_TRUE(room()->sync());
  ASSERT_NE(own_file(), "");
  EXPECT_EQ(own_reads(), 0u) << "alice downloaded her own writer file";
  EXPECT_EQ(room()->counters().bytes_fetched, 0u);
  EXPECT_EQ(room()->counters().sent, 4u);
  expect_once_in_order(room()->read_log(0, 1 << 20), {"one", "two", "three", "four"});
  EXPECT_EQ(room()->counters().notices, 0u);
  expect_once_in_order(bob_log(), {"one", "two", "three", "four"});
  // The cache holds the file as the server does: a remount reads none of it from the server.
  alice_.reset();
  server_.read_paths.clear();
  alice_ = std::make_unique<EngineClient>(server_, "alice", state_ / "a", "pw", state_ / "cache");
  ASSERT_TRUE(alice_->engine->start());
  ASSERT_TRUE(room()->sync());
  expect_once_in_order(room()->read_log(0, 1 << 20), {"one", "two", "three", "four"});
  EXPECT_EQ(own_reads(), 0u) << "the cache did not have alice's own appends";
}

TEST_F(OwnFileTest, ANewMountWithoutCacheReadsItsOwnFileAsBefore) {
  ASSERT_TRUE(room()->send({"one", "two"}));
  alice_.reset();
  std::filesystem::remove_all(state_ / "cache");
  alice_ = std::make_unique<EngineClient>(server_, "alice", state_ / "a", "pw", state_ / "cache");
  ASSERT_TRUE(alice_->engine->start());
  ASSERT_TRUE(room()->send({"three"}));
  ASSERT_TRUE(room()->sync());
  EXPECT_EQ(own_reads(), 1u);  // the first sync of the mount, then never again
  ASSERT_TRUE(room()->send({"four"}));
  ASSERT_TRUE(room()->sync());
  EXPECT_EQ(own_reads(), 1u);
  expect_once_in_order(room()->read_log(0, 1 << 20), {"one", "two", "three", "four"});
}

TEST_F(OwnFileTest, AnAppendWhoseAnswerWasLostIsReadBackOnce) {
  ASSERT_TRUE(room()->send({"one"}));
  server_.fail_next_appends = 1;
  server_.land_failed_appends = true;  // it landed; the client cannot know
  EXPECT_FALSE(room()->send({"two"}));
  ASSERT_TRUE(room()->enqueue({"three"}));
  ASSERT_TRUE(room()->upload_pending());  // reads its file first (room_sender.cpp rule 4)
  EXPECT_EQ(own_reads(), 1u);
  ASSERT_TRUE(room()->send({"four"}));
  ASSERT_TRUE(room()->sync());
  EXPECT_EQ(own_reads(), 1u) << "read back again after the file was known";
  EXPECT_EQ(room()->counters().pending, 0u);
  EXPECT_EQ(room()->counters().sent, 4u);
  expect_once_in_order(room()->read_log(0, 1 << 20), {"one", "two", "three", "four"});
  const std::string bob = bob_log();
  expect_once_in_order(bob, {"one", "two", "three", "four"});
}

TEST_F(OwnFileTest, ALateAppendLandingBeforeOursIsFoundAndReadAgain) {
  ASSERT_TRUE(room()->send({"one"}));
  ASSERT_TRUE(room()->sync());
  server_.fail_next_appends = 1;  // outcome unknown; it did not land yet
  EXPECT_FALSE(room()->send({"two"}));
  ASSERT_FALSE(server_.last_failed_append.empty());
  // It lands after the client read its file again, just before the client's next append.
  server_.ghost_before_next_append = server_.last_failed_append;
  ASSERT_TRUE(room()->enqueue({"three"}));
  ASSERT_TRUE(room()->upload_pending());
  ASSERT_TRUE(room()->sync());  // the file is not what the cursor took: read again from 0
  EXPECT_GE(own_reads(), 2u);
  // Read from its start: every record there again is a duplicate (one, two twice, three).
  EXPECT_EQ(room()->counters().duplicates, 4u);
  ASSERT_TRUE(room()->send({"four"}));
  ASSERT_TRUE(room()->sync());
  const std::size_t reads = own_reads();
  ASSERT_TRUE(room()->send({"five"}));  // the file is known again: taken, not read
  ASSERT_TRUE(room()->sync());
  ASSERT_TRUE(room()->sync());
  EXPECT_EQ(own_reads(), reads);
  const RoomCounters c = room()->counters();
  EXPECT_EQ(c.notices, 0u) << "our own file was frozen or reported: "
                           << room()->read_log(0, 1 << 20);
  EXPECT_EQ(c.rejected, 0u);
  EXPECT_EQ(c.pending, 0u);
  expect_once_in_order(room()->read_log(0, 1 << 20), {"one", "two", "three", "four", "five"});
  const std::string bob = bob_log();
  expect_once_in_order(bob, {"one", "two", "three", "four", "five"});
  // The server holds "two" twice; readers drop the second.
  EXPECT_EQ(count_of(bob, "<alice> two\n"), 1u);
}

TEST_F(OwnFileTest, ASizeThatDiffersIsReadEvenWhenTheCursorTookOurAppends) {
  ASSERT_TRUE(room()->send({"one"}));
  ASSERT_TRUE(room()->send({"two"}));
  // Someone (the operator, another program) appended to our file: it is read, not skipped.
  const std::string path = own_file();
  const std::string copy = server_.files[path];
  server_.files[path] += copy;  // a replay of our own records
  ASSERT_TRUE(room()->sync());
  EXPECT_EQ(own_reads(), 1u);
  EXPECT_EQ(room()->counters().duplicates, 2u);
  expect_once_in_order(room()->read_log(0, 1 << 20), {"one", "two"});
}

}  // namespace
}  // namespace ftpchat
