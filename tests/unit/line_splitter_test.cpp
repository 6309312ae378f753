// LineSplitter: incremental line reading of writer files, torn lines, bounded memory.
#include <gtest/gtest.h>

#include "ftpchat/record/record.hpp"

namespace ftpchat {
namespace {

using Lines = std::vector<std::string>;

Lines feed_all(LineSplitter& s, const std::vector<std::string_view>& chunks) {
  Lines out;
  for (auto chunk : chunks) {
    auto lines = s.feed(chunk);
    out.insert(out.end(), lines.begin(), lines.end());
  }
  return out;
}

TEST(LineSplitter, CompleteLinesOnlyAndEmptyOnesSkipped) {
  LineSplitter s;
  EXPECT_EQ(s.feed("\nabc\n\n\ndef\ngh"), (Lines{"abc", "def"}));
  EXPECT_EQ(s.pending_bytes(), 2u);
  EXPECT_EQ(s.feed("i"), Lines{});
  EXPECT_EQ(s.pending_bytes(), 3u);
  EXPECT_EQ(s.feed("\n"), Lines{"ghi"});
  EXPECT_EQ(s.pending_bytes(), 0u);
  EXPECT_EQ(s.feed(""), Lines{});
  EXPECT_EQ(s.feed("\n\n"), Lines{});
}

TEST(LineSplitter, KeepsBytesOtherThanNewlineVerbatim) {
  LineSplitter s;
  const std::string odd = std::string("a\r\0b\xff", 5);
  EXPECT_EQ(s.feed(odd + "\n"), Lines{odd});
}

// Whatever the chunking, the same lines come out (fetches split files anywhere).
TEST(LineSplitter, EverySplitPointGivesTheSameLines) {
  const std::string stream = "\nrecord-one\ntorn-rec\nrecord-two\n\nrecord-three\npartial";
  const Lines expected = {"record-one", "torn-rec", "record-two", "record-three"};
  for (std::size_t a = 0; a <= stream.size(); ++a) {
    for (std::size_t b = a; b <= stream.size(); ++b) {
      LineSplitter s;
      const std::string_view v = stream;
      EXPECT_EQ(feed_all(s, {v.substr(0, a), v.substr(a, b - a), v.substr(b)}), expected)
          << "split at " << a << "," << b;
      EXPECT_EQ(s.pending_bytes(), 7u);
    }
  }
  LineSplitter bytewise;
  Lines got;
  for (char c : stream) {
    auto lines = bytewise.feed(std::string_view(&c, 1));
    got.insert(got.end(), lines.begin(), lines.end());
  }
  EXPECT_EQ(got, expected);
}

TEST(LineSplitter, LineOfExactlyTheLimitIsKept) {
  LineSplitter s;
  const std::string line(kMaxRecordLineBytes, 'A');
  EXPECT_EQ(s.feed(line.substr(0, 1000)), Lines{});
  EXPECT_EQ(s.feed(line.substr(1000)), Lines{});
  EXPECT_EQ(s.pending_bytes(), kMaxRecordLineBytes);
  EXPECT_EQ(s.feed("\n"), Lines{line});
}

TEST(LineSplitter, OversizedLineIsDroppedUpToItsNewline) {
  LineSplitter s;
  const std::string big(kMaxRecordLineBytes + 1, 'A');
  EXPECT_EQ(s.feed("good-1\n" + big), Lines{"good-1"});
  EXPECT_EQ(s.pending_bytes(), 0u);
  // The rest of the oversized line keeps being skipped, in any number of feeds.
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(s.feed(std::string(100000, 'B')), Lines{});
    EXPECT_EQ(s.pending_bytes(), 0u);
  }
  EXPECT_EQ(s.feed("tail-of-big\ngood-2\npart"), Lines{"good-2"});
  EXPECT_EQ(s.feed("ial\n"), Lines{"partial"});
}

TEST(LineSplitter, OversizedLineGrownInSmallFeedsStaysBounded) {
  LineSplitter s;
  const std::string chunk(4096, 'C');
  std::size_t max_pending = 0;
  for (std::size_t fed = 0; fed < 3 * kMaxRecordLineBytes; fed += chunk.size()) {
    EXPECT_EQ(s.feed(chunk), Lines{});
    max_pending = std::max(max_pending, s.pending_bytes());
  }
  EXPECT_LE(max_pending, kMaxRecordLineBytes);
  EXPECT_EQ(s.feed("\nnext\n"), Lines{"next"});
}

TEST(LineSplitter, OversizedCompleteLineInOneFeedIsDropped) {
  LineSplitter s;
  const std::string big(kMaxRecordLineBytes + 1, 'A');
  EXPECT_EQ(s.feed("a\n" + big + "\nb\n"), (Lines{"a", "b"}));
}

}  // namespace
}  // namespace ftpchat
