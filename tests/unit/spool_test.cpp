// Spool: records across reopen, group commit (append does not fdatasync, sync does, also
// while appends go on), acknowledgement and compaction, the torn tail a crash leaves, modes.
#include "ftpchat/outbox/spool.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "page_cache.hpp"

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
  const std::uint64_t n = Spool::kCompactAfterAcked + 10;
  {
    Spool s = open();
    ASSERT_TRUE(s.append(records(1, n)));
    ASSERT_TRUE(s.mark_acked(5));
    EXPECT_EQ(s.pending_count(), n - 5);
    EXPECT_EQ(s.lines_in_file(), n);  // too few acked lines to rewrite the file for
    ASSERT_TRUE(s.mark_acked(n - 10));
    EXPECT_EQ(s.pending_count(), 10u);
    EXPECT_EQ(s.lines_in_file(), 10u);  // rewritten without the acked lines
    ASSERT_TRUE(s.mark_acked(80));      // going back is a no-op
    EXPECT_EQ(s.acked(), n - 10);
  }
  Spool s = open();
  EXPECT_EQ(s.acked(), n - 10);
  EXPECT_EQ(s.last_assigned(), n);
  ASSERT_EQ(s.pending_count(), 10u);
  EXPECT_EQ(s.pending().front().seq, n - 9);
  ASSERT_TRUE(s.mark_acked(n));
  EXPECT_FALSE(Spool::has_pending(dir_, writer_));
  ASSERT_TRUE(s.append(records(n + 1, n + 1)));  // seqs continue after a full ack
  EXPECT_EQ(open().last_assigned(), n + 1);
}

// The steps Room uses so that writes go on while the acked file is rewritten.
TEST_F(SpoolTest, AnAcknowledgementInStepsLetsAppendsGoOn) {
  {
    Spool s = open();
    ASSERT_TRUE(s.append(records(1, 3)));
    const Spool::AckPoint ack = s.begin_ack(2);
    EXPECT_EQ(s.acked(), 2u);              // counts at once, before any file is written
    ASSERT_TRUE(s.append(records(4, 4)));  // meanwhile, under the owner's lock
    ASSERT_TRUE(s.end_ack(ack, ack.run()));
    EXPECT_EQ(s.pending_count(), 2u);
    const Spool::AckPoint stale = s.begin_ack(1);  // behind: writes nothing, changes nothing
    ASSERT_TRUE(s.end_ack(stale, stale.run()));
    EXPECT_EQ(s.acked(), 2u);
    EXPECT_FALSE(s.ack_file_behind());
  }
  Spool s = open();
  EXPECT_EQ(s.acked(), 2u);
  ASSERT_EQ(s.pending_count(), 2u);
  EXPECT_EQ(s.pending().front().seq, 3u);
}

// A full disk (/dev/full answers every write with ENOSPC): the acknowledgement still counts
// in memory, the failure is returned as no_space, and the file is brought up to date by the
// next acknowledgement once it can be written. A compaction waits for the file.
TEST_F(SpoolTest, AnAcknowledgementCountsEvenWhenItsFileCannotBeWritten) {
  const std::uint64_t n = Spool::kCompactAfterAcked + 4;
  Spool s = open();
  ASSERT_TRUE(s.append(records(1, n)));
  const fs::path acked = dir_ / ("acked-" + to_hex(writer_));
  fs::remove(acked);
  fs::create_symlink("/dev/full", acked);
  auto failed = s.mark_acked(n - 2);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, Errc::no_space);
  EXPECT_EQ(s.acked(), n - 2);
  EXPECT_EQ(s.pending_count(), 2u);
  EXPECT_TRUE(s.ack_file_behind());
  EXPECT_EQ(s.lines_in_file(), n);  // not compacted: nothing durable says what was sent
  EXPECT_EQ(s.last_assigned(), n);
  fs::remove(acked);
  ASSERT_TRUE(s.mark_acked(s.acked()));  // the retry
  EXPECT_FALSE(s.ack_file_behind());
  EXPECT_EQ(s.lines_in_file(), 2u);
  Spool again = open();
  EXPECT_EQ(again.acked(), n - 2);
  EXPECT_EQ(again.pending_count(), 2u);
}

// The acked file is overwritten in place, always 21 bytes; the older short form still reads.
TEST_F(SpoolTest, TheAckedFileHasAFixedWidthAndOldFilesStillRead) {
  {
    Spool s = open();
    ASSERT_TRUE(s.append(records(1, 12)));
    ASSERT_TRUE(s.mark_acked(7));
  }
  const fs::path acked = dir_ / ("acked-" + to_hex(writer_));
  EXPECT_EQ(fs::file_size(acked), 21u);
  {
    std::ofstream f(acked, std::ios::trunc);
    f << "9\n";  // as earlier versions wrote it
  }
  Spool s = open();
  EXPECT_EQ(s.acked(), 9u);
  ASSERT_TRUE(s.mark_acked(10));
  EXPECT_EQ(fs::file_size(acked), 21u);
  EXPECT_EQ(open().acked(), 10u);
}

// Group commit: append() leaves the records in the page cache; sync() puts them on disk.
TEST_F(SpoolTest, AppendDoesNotSyncAndSyncMakesTheRecordsDurable) {
  Spool s = open();
  if (!testing::page_cache_observable(dir_)) GTEST_SKIP() << "cachestat(2) cannot tell here";
  // (Background writeback could clean the page between the two calls: three tries.)
  bool unsynced_after_append = false;
  for (std::uint64_t i = 1; i <= 3 && !unsynced_after_append; ++i) {
    ASSERT_TRUE(s.append(records(i, i)));
    unsynced_after_append = testing::unsynced_pages(spool_file()).value_or(0) > 0;
  }
  EXPECT_TRUE(unsynced_after_append) << "append() wrote the spool through to disk";
  EXPECT_EQ(s.durable_through(), 0u);
  ASSERT_TRUE(s.sync());
  EXPECT_EQ(testing::unsynced_pages(spool_file()), 0u);
  EXPECT_EQ(s.durable_through(), s.last_assigned());
  auto again = s.begin_sync();
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->has_value());  // nothing new: no second fdatasync
}

// The fdatasync runs without the owner's lock: appends made meanwhile are not covered.
TEST_F(SpoolTest, ASyncPointCoversWhatWasAppendedBeforeIt) {
  Spool s = open();
  ASSERT_TRUE(s.append(records(1, 3)));
  auto point = s.begin_sync();
  ASSERT_TRUE(point && point->has_value());
  EXPECT_EQ((*point)->through(), 3u);
  ASSERT_TRUE(s.append(records(4, 5)));
  ASSERT_TRUE((*point)->run());
  s.end_sync(**point);
  EXPECT_EQ(s.durable_through(), 3u);
  ASSERT_TRUE(s.sync());
  EXPECT_EQ(s.durable_through(), 5u);
}

// A compaction between begin_sync() and run() replaces the file and its descriptor; the
// sync point's own descriptor still works, and the compacted file is durable anyway.
TEST_F(SpoolTest, ASyncPointOutlivesACompaction) {
  const std::uint64_t n = Spool::kCompactAfterAcked + 4;
  Spool s = open();
  ASSERT_TRUE(s.append(records(1, n)));
  auto point = s.begin_sync();
  ASSERT_TRUE(point && point->has_value());
  ASSERT_TRUE(s.mark_acked(n - 2));
  ASSERT_EQ(s.lines_in_file(), 2u);
  EXPECT_EQ(s.durable_through(), n);  // the compacted file was written with fsync
  ASSERT_TRUE((*point)->run());
  s.end_sync(**point);
  ASSERT_TRUE(s.append(records(n + 1, n + 1)));
  ASSERT_TRUE(s.sync());
  EXPECT_EQ(open().pending_count(), 3u);
}

// A daemon killed before its group commit leaves records that may sit only in the page
// cache: the next session treats them as not durable yet.
TEST_F(SpoolTest, RecordsFoundAtOpenAreSyncedBeforeTheyCount) {
  {
    Spool s = open();
    ASSERT_TRUE(s.append(records(1, 2)));
  }
  Spool s = open();
  EXPECT_EQ(s.durable_through(), 0u);
  auto point = s.begin_sync();
  ASSERT_TRUE(point && point->has_value());
  EXPECT_EQ((*point)->through(), 2u);
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
