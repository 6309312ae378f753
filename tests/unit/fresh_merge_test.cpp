// FreshMerge: log order of one sync's messages, in memory and through the sealed spill.
#include "ftpchat/room/fresh_merge.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "test_ids.hpp"

namespace ftpchat {
namespace {

using testing::writer_id;

struct Item {
  std::uint64_t stamp;
  int writer;
  int stream;
  int index;  // position in its stream
};

std::string text_of(const Item& it) {
  return "s" + std::to_string(it.stream) + " #" + std::to_string(it.index) + " t" +
         std::to_string(it.stamp) + "\n";
}

// Streams of items, each stream's stamps ascending (ties allowed), as writers produce them.
std::vector<std::vector<Item>> make_streams(int streams, int per_stream, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::vector<Item>> out(streams);
  for (int s = 0; s < streams; ++s) {
    std::uint64_t stamp = rng() % 50;
    for (int i = 0; i < per_stream; ++i) {
      stamp += rng() % 3;  // 0 makes ties within a stream and across streams
      out[s].push_back(Item{stamp, s % 3, s, i});
    }
  }
  return out;
}

// What the log must show: by (stamp, writer), ties in stream order, each stream's order kept.
std::string expected_log(const std::vector<std::vector<Item>>& streams) {
  std::vector<Item> all;
  for (const auto& s : streams) all.insert(all.end(), s.begin(), s.end());
  std::stable_sort(all.begin(), all.end(), [](const Item& a, const Item& b) {
    return std::tie(a.stamp, a.writer) < std::tie(b.stamp, b.writer);
  });
  std::string text;
  for (const Item& it : all) text += text_of(it);
  return text;
}

std::pair<std::string, std::string> run(FreshMerge& merge,
                                        const std::vector<std::vector<Item>>& streams,
                                        std::size_t* batches = nullptr) {
  for (const auto& s : streams) {
    merge.begin_stream();
    for (const Item& it : s) merge.add(it.stamp, writer_id(it.writer), it.index + 1u, text_of(it), "{" + text_of(it));
  }
  std::string log, json;
  std::size_t n = 0;
  merge.drain([&](std::string_view l, std::string_view j) {
    log += l;
    json += j;
    ++n;
  });
  if (batches) *batches = n;
  return {log, json};
}

TEST(FreshMerge, InMemoryOrdersByStampThenWriterKeepingStreamOrder) {
  const auto streams = make_streams(5, 200, 1);
  FreshMerge merge;
  const auto [log, json] = run(merge, streams);
  EXPECT_FALSE(merge.spilled());
  EXPECT_EQ(log, expected_log(streams));
  EXPECT_EQ(merge.count(), 0u);  // drained
}

TEST(FreshMerge, SpilledMergeGivesTheSameOrderAndTexts) {
  const auto streams = make_streams(7, 3000, 2);
  FreshMerge merge({}, 16 * 1024);  // spills after a few hundred messages
  std::size_t total = 0;
  for (const auto& s : streams) total += s.size();
  for (const auto& s : streams) {
    merge.begin_stream();
    for (const Item& it : s) merge.add(it.stamp, writer_id(it.writer), it.index + 1u, text_of(it), "{" + text_of(it));
  }
  EXPECT_TRUE(merge.spilled());
  EXPECT_EQ(merge.count(), total);
  std::string log, json;
  std::size_t batches = 0;
  // `each` tells every message of a batch, with its share of the texts, before the batch;
  // writer and seq come back with the message through the spill.
  std::vector<std::pair<int, std::uint64_t>> told;
  std::size_t told_log_bytes = 0, told_json_bytes = 0;
  merge.drain(
      [&](std::string_view l, std::string_view j) {
        EXPECT_EQ(told_log_bytes, l.size());
        EXPECT_EQ(told_json_bytes, j.size());
        told_log_bytes = told_json_bytes = 0;
        log += l;
        json += j;
        ++batches;
        EXPECT_LE(l.size() + j.size(), FreshMerge::kEmitBytes + 200);  // bounded batches
      },
      {},
      [&](const FreshMerge::Drained& d) {
        told_log_bytes += d.log_bytes;
        told_json_bytes += d.json_bytes;
        told.emplace_back(d.writer[0], d.seq);
      });
  std::vector<Item> all;
  for (const auto& s : streams) all.insert(all.end(), s.begin(), s.end());
  std::stable_sort(all.begin(), all.end(), [](const Item& a, const Item& b) {
    return std::tie(a.stamp, a.writer) < std::tie(b.stamp, b.writer);
  });
  ASSERT_EQ(told.size(), all.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(told[i].first, all[i].writer) << i;
    EXPECT_EQ(told[i].second, static_cast<std::uint64_t>(all[i].index) + 1) << i;
  }
  const std::string want = expected_log(streams);
  EXPECT_EQ(log, want);
  std::string want_json;
  for (std::size_t at = 0; at < want.size();) {
    const std::size_t nl = want.find('\n', at);
    want_json += "{" + want.substr(at, nl + 1 - at);
    at = nl + 1;
  }
  EXPECT_EQ(json, want_json);
  EXPECT_GT(batches, 1u);
}

TEST(FreshMerge, StreamWithStampsOutOfOrderKeepsItsOwnOrder) {
  // A writer whose clock went back: its messages still show in the order it sent them.
  FreshMerge merge;
  merge.begin_stream();
  merge.add(10, writer_id(1), 10, "a10\n", "");
  merge.add(5, writer_id(1), 5, "a5\n", "");
  merge.begin_stream();
  merge.add(7, writer_id(2), 7, "b7\n", "");
  std::string log;
  merge.drain([&](std::string_view l, std::string_view) { log += l; });
  EXPECT_EQ(log, "b7\na10\na5\n");
}

TEST(FreshMerge, LargeEntriesAndEmptyStreamsThroughTheSpill) {
  FreshMerge merge({}, 1024);
  merge.begin_stream();  // empty
  merge.begin_stream();
  const std::string big(200 * 1024, 'x');  // larger than a read chunk and a spill block
  merge.add(2, writer_id(1), 2, big + "\n", "j\n");
  merge.add(4, writer_id(1), 4, "small\n", "k\n");
  merge.begin_stream();
  merge.add(3, writer_id(2), 3, "mid\n", "m\n");
  merge.begin_stream();  // empty again
  std::string log, json;
  merge.drain([&](std::string_view l, std::string_view j) {
    log += l;
    json += j;
  });
  EXPECT_EQ(log, big + "\nmid\nsmall\n");
  EXPECT_EQ(json, "j\nm\nk\n");
}

TEST(FreshMerge, ReusableAfterDrain) {
  FreshMerge merge({}, 64);
  merge.begin_stream();
  merge.add(1, writer_id(1), 1, std::string(100, 'a') + "\n", "");
  std::string first;
  merge.drain([&](std::string_view l, std::string_view) { first += l; });
  EXPECT_FALSE(merge.spilled());
  merge.begin_stream();
  merge.add(1, writer_id(1), 1, "again\n", "");
  std::string second;
  merge.drain([&](std::string_view l, std::string_view) { second += l; });
  EXPECT_EQ(second, "again\n");
}

}  // namespace
}  // namespace ftpchat
