// Spool: durability across reopen, acknowledgement and compaction, the torn tail a crash
// leaves, file modes.
#include "ftpchat/outbox/spool.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

namespace ftpchat {
namespace {

namespace fs = std::filesystem;

class SpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ftpchat-spool-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name()) /
           "room";
    fs::remove_all(dir_.parent_path());
    writer_ = random_id();
  }
  void TearDown() override { fs::remove_all(dir_.parent_path()); }
  Spool open() {
    auto s = Spool::open(dir_, writer_);
    EXPECT_TRUE(s) << (s ? "" : s.error().detail);
    return std::move(s.value());
  }
  static std::vector<SpooledRecord> records(std::uint64_t from, std::uint64_t to) {
    std::vector<SpooledRecord> out;
    for (std::uint64_t i = from; i <= to; ++i) out.push_back({i, "record-" + std::to_string(i)});
    return out;
  }
  fs::path spool_file() const { return dir_ / ("spool-" + to_hex(writer_)); }

  fs::path dir_;
  Id128 writer_{};
};

TEST_F(SpoolTest, RecordsSurviveReopenAndKeepTheirBytes) {
  {
    Spool s = open();
    EXPECT_TRUE(s.fresh());
    EXPECT_FALSE(Spool::has_pending(dir_, writer_));
    ASSERT_TRUE(s.append(records(1, 3)));
  }
  EXPECT_TRUE(Spool::has_pending(dir_, writer_));
  Spool s = open();
  EXPECT_FALSE(s.fresh());
  ASSERT_EQ(s.pending_count(), 3u);
  EXPECT_EQ(s.last_assigned(), 3u);
  EXPECT_EQ(s.pending()[1].seq, 2u);
  EXPECT_EQ(s.pending()[1].line, "record-2");
}

TEST_F(SpoolTest, SequenceNumbersMustGrow) {
  Spool s = open();
  ASSERT_TRUE(s.append(records(1, 2)));
  EXPECT_FALSE(s.append(records(2, 2)));
  EXPECT_EQ(s.pending_count(), 2u);
}

TEST_F(SpoolTest, AckedRecordsAreNotPendingAndTheFileIsCompacted) {
  {
    Spool s = open();
    ASSERT_TRUE(s.append(records(1, 100)));
    ASSERT_TRUE(s.mark_acked(90));
    EXPECT_EQ(s.pending_count(), 10u);
    EXPECT_EQ(s.lines_in_file(), 10u);  // rewritten without the 90 acked lines
    ASSERT_TRUE(s.mark_acked(80));      // going back is a no-op
    EXPECT_EQ(s.acked(), 90u);
  }
  Spool s = open();
  EXPECT_EQ(s.acked(), 90u);
  EXPECT_EQ(s.last_assigned(), 100u);
  ASSERT_EQ(s.pending_count(), 10u);
  EXPECT_EQ(s.pending().front().seq, 91u);
  ASSERT_TRUE(s.mark_acked(100));
  EXPECT_FALSE(Spool::has_pending(dir_, writer_));
  ASSERT_TRUE(s.append(records(101, 101)));  // seqs continue after a full ack
  EXPECT_EQ(open().last_assigned(), 101u);
}

TEST_F(SpoolTest, ATornLastLineFromACrashIsDroppedAndTheSpoolStaysUsable) {
  {
    Spool s = open();
    ASSERT_TRUE(s.append(records(1, 2)));
  }
  {
    std::ofstream f(spool_file(), std::ios::app | std::ios::binary);
    f << "3 record-3-cut-sho";  // a write() cut by the crash, never acknowledged
  }
  {
    Spool s = open();
    EXPECT_GT(s.torn_bytes_dropped(), 0u);
    EXPECT_EQ(s.pending_count(), 2u);
    ASSERT_TRUE(s.append(records(3, 3)));
  }
  Spool s = open();
  EXPECT_EQ(s.torn_bytes_dropped(), 0u);
  ASSERT_EQ(s.pending_count(), 3u);
  EXPECT_EQ(s.pending()[2].line, "record-3");
}

TEST_F(SpoolTest, GarbageInTheMiddleEndsTheValidPart) {
  {
    Spool s = open();
    ASSERT_TRUE(s.append(records(1, 1)));
  }
  {
    std::ofstream f(spool_file(), std::ios::app | std::ios::binary);
    f << "not a spool line\n2 record-2\n";
  }
  Spool s = open();
  EXPECT_EQ(s.pending_count(), 1u);
}

TEST_F(SpoolTest, FilesArePrivate) {
  Spool s = open();
  ASSERT_TRUE(s.append(records(1, 1)));
  ASSERT_TRUE(s.mark_acked(1));
  struct stat st {};
  ASSERT_EQ(::stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  for (const auto& entry : fs::directory_iterator(dir_)) {
    ASSERT_EQ(::stat(entry.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << entry.path();
  }
}

}  // namespace
}  // namespace ftpchat
