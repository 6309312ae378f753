// ReceiptBook (marks only move forward, read up to, readers of a message), RecentMessages and
// receipt_due (what a client owes: only forward, only what it still knows).
#include "ftpchat/room/receipt_book.hpp"

#include <gtest/gtest.h>

#include "test_ids.hpp"

namespace ftpchat {
namespace {

using testing::writer_id;

PublicKey member(int n) {
  PublicKey k{};
  k[0] = static_cast<std::uint8_t>(n);
  return k;
}

ReceiptEntry msg(int writer, std::uint64_t seq, std::uint64_t stamp) {
  Id128 id{};
  id[0] = static_cast<std::uint8_t>(writer);
  id[1] = static_cast<std::uint8_t>(seq);
  return ReceiptEntry{writer_id(writer), seq, stamp, id};
}

TEST(ReceiptBook, MarksMoveOnlyForwardInAnyOrder) {
  ReceiptBook book;
  EXPECT_TRUE(book.add(member(1), {msg(1, 5, 500)}));
  EXPECT_FALSE(book.add(member(1), {msg(1, 3, 300)}));  // late or replayed: nothing moves
  EXPECT_FALSE(book.add(member(1), {msg(1, 5, 500)}));
  EXPECT_EQ(book.mark(member(1), writer_id(1)), 5u);
  EXPECT_TRUE(book.add(member(1), {msg(1, 6, 600), msg(2, 1, 100)}));
  EXPECT_EQ(book.mark(member(1), writer_id(1)), 6u);
  EXPECT_EQ(book.mark(member(1), writer_id(2)), 1u);
  EXPECT_EQ(book.mark(member(2), writer_id(1)), 0u);
}

TEST(ReceiptBook, ReadUpToIsTheNewestMessageReadOverAllWriters) {
  ReceiptBook book;
  EXPECT_FALSE(book.read_up_to(member(1)));
  book.add(member(1), {msg(1, 9, 900), msg(2, 2, 950)});
  EXPECT_EQ(book.read_up_to(member(1))->writer, writer_id(2));
  book.add(member(1), {msg(1, 10, 1000)});
  EXPECT_EQ(*book.read_up_to(member(1)), msg(1, 10, 1000));
}

TEST(ReceiptBook, ReadersOfAMessageLeaveOutTheAsker) {
  ReceiptBook book;
  book.add(member(1), {msg(7, 4, 40)});
  book.add(member(2), {msg(7, 2, 20)});
  book.add(member(3), {msg(7, 9, 90)});
  EXPECT_EQ(book.readers_of(writer_id(7), 3, member(3)), std::vector<PublicKey>{member(1)});
  EXPECT_EQ(book.readers_of(writer_id(7), 2, member(9)).size(), 3u);
  EXPECT_TRUE(book.readers_of(writer_id(8), 1, member(9)).empty());
}

TEST(ReceiptDue, OnlyWritersAboveWhatWasSentAndOnlyMessagesStillKnown) {
  RecentMessages recent;
  for (std::uint64_t s = 1; s <= 100; ++s) recent.add(msg(1, s, s * 10));
  recent.add(msg(2, 3, 35));
  recent.add(msg(2, 2, 25));  // out of order for its writer: ignored
  EXPECT_FALSE(recent.find(writer_id(1), 36));  // fell out of the last 64
  EXPECT_TRUE(recent.find(writer_id(1), 37));
  // Seen: writer 1 up to 100, writer 2 up to 3, writer 3 up to 1 (not kept); sent: 1 up to 100.
  auto due = receipt_due({{writer_id(1), 100}, {writer_id(2), 3}, {writer_id(3), 1}},
                         {{writer_id(1), 100}}, recent);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0], msg(2, 3, 35));
  due = receipt_due({{writer_id(1), 99}, {writer_id(2), 3}}, {{writer_id(2), 3}}, recent);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0], msg(1, 99, 990));
  EXPECT_TRUE(receipt_due({{writer_id(1), 30}}, {}, recent).empty());  // no longer known
  EXPECT_TRUE(encode_receipt_payload(receipt_due({{writer_id(1), 99}, {writer_id(2), 3}}, {}, recent)));
}

}  // namespace
}  // namespace ftpchat
