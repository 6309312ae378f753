// The terminal client's model: delivery tracking from ROOM/status, the viewport (follow,
// PgUp/PgDn, loading older lines, the unread marker) and the members list.
#include <gtest/gtest.h>

#include <map>

#include "cli/ftpchat/chat/delivery.hpp"
#include "cli/ftpchat/chat/members.hpp"
#include "cli/ftpchat/chat/room_status.hpp"
#include "cli/ftpchat/chat/viewport.hpp"

namespace ftpchat::chat {
namespace {

TEST(ChatDelivery, PendingUntilStatusSaysTheSpoolIsEmptied) {
  DeliveryTracker t;
  t.sent("general", "one");
  t.sent("general", "two");
  t.sent("general", "one");  // the same text twice is two lines
  EXPECT_EQ(t.pending("general"), 3u);
  // The mount's echo ties each sent line to its log line, oldest first.
  EXPECT_TRUE(t.match("general", "alice", "one", 10, ""));
  EXPECT_FALSE(t.match("general", "alice", "three", 11, ""));
  EXPECT_TRUE(t.match("general", "alice", "two", 12, "alice"));
  EXPECT_FALSE(t.match("general", "bob", "one", 13, "alice"));  // bob's line, not ours
  EXPECT_TRUE(t.match("general", "alice", "one", 14, "alice"));
  EXPECT_FALSE(t.match("random", "alice", "one", 15, "alice"));
  ASSERT_NE(t.find("general", 10), nullptr);
  EXPECT_EQ(t.find("general", 10)->state, DeliveryState::pending);
  EXPECT_EQ(t.find("general", 11), nullptr);
  // Status: 5 pending (others' lines through the same mount too): all of ours may be.
  t.status_pending("general", 5);
  EXPECT_EQ(t.pending("general"), 3u);
  // 1 pending: it is our newest; the older two are on the server (the spool sends in order).
  t.status_pending("general", 1);
  EXPECT_EQ(t.find("general", 10)->state, DeliveryState::on_server);
  EXPECT_EQ(t.find("general", 12)->state, DeliveryState::on_server);
  EXPECT_EQ(t.find("general", 14)->state, DeliveryState::pending);
  t.status_pending("general", 0);
  EXPECT_EQ(t.pending_total(), 0u);
  EXPECT_EQ(describe(*t.find("general", 14)), "on server");
  // Receipts (later) move lines up to a point to "read".
  t.mark_read("general", 12, "bob");
  EXPECT_EQ(describe(*t.find("general", 12)), "read by bob");
  EXPECT_EQ(describe(*t.find("general", 14)), "on server");
}

TEST(ChatStatus, ParsesTheMountsKeys) {
  const RoomStatus s = interpret_status(parse_status(
      "room: general\nmessages pending: 3\nmessages sent: 7\nlast error: cannot connect: "
      "refused\nstate: ok\n"));
  EXPECT_EQ(s.pending, 3u);
  EXPECT_EQ(s.last_error, "cannot connect: refused");
  EXPECT_EQ(s.state, "ok");
  EXPECT_EQ(interpret_status(parse_status("last error: none\n")).last_error, "");
}

TEST(ChatMembers, NicksWithTheirLastMessage) {
  MemberList list;
  list.add_line("2026-11-27 10:00:00 <alice> hi");
  list.add_line("2026-11-27 10:01:00 <bob> hello");
  list.add_line("2026-11-27 10:02:00 -!- a notice");
  list.add_line("2026-11-27 10:03:00 <alice> * alice waves");
  const std::vector<Member> m = list.members();
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].nick, "alice");
  EXPECT_EQ(m[0].last_spoke, "2026-11-27 10:03:00");
  EXPECT_EQ(m[0].messages, 2u);
  EXPECT_EQ(m[1].nick, "bob");
}

// Lines [first, end) of given heights; older lines (height 1) can be loaded in batches.
class FakeRows : public RowSource {
 public:
  std::int64_t first_id() const override { return first; }
  std::int64_t end_id() const override { return end; }
  int rows(std::int64_t id) const override {
    auto it = heights.find(id);
    return it == heights.end() ? 1 : it->second;
  }
  bool load_older() override {
    if (older == 0) return false;
    const std::int64_t n = std::min<std::int64_t>(older, 5);
    first -= n;
    older -= n;
    ++loads;
    return true;
  }
  std::int64_t first = 0, end = 0, older = 0;
  int loads = 0;
  std::map<std::int64_t, int> heights;
};

std::vector<std::int64_t> ids(const std::vector<RowRef>& rows) {
  std::vector<std::int64_t> out;
  for (const RowRef& r : rows) out.push_back(r.id);
  return out;
}

TEST(ChatViewport, FollowsTheNewestLine) {
  FakeRows src;
  src.end = 3;
  Viewport v;
  EXPECT_EQ(ids(v.visible(src, 10)), (std::vector<std::int64_t>{0, 1, 2}));
  src.end = 20;
  src.heights[19] = 2;
  EXPECT_EQ(ids(v.visible(src, 4)), (std::vector<std::int64_t>{17, 18, 19, 19}));
  v.page_up(src, 3, 10);  // 21 rows do not fit in 10: it scrolls
  EXPECT_FALSE(v.following());
}

TEST(ChatViewport, PageUpStaysPutWhileLinesArriveAndPageDownReturns) {
  FakeRows src;
  src.end = 30;
  Viewport v;
  v.page_up(src, 9, 10);
  EXPECT_EQ(ids(v.visible(src, 10)).back(), 20);
  src.end = 40;  // new lines do not move what the user reads
  EXPECT_EQ(ids(v.visible(src, 10)).front(), 11);
  EXPECT_EQ(ids(v.visible(src, 10)).back(), 20);
  v.page_down(src, 9);
  EXPECT_EQ(ids(v.visible(src, 10)).back(), 29);
  EXPECT_FALSE(v.following());
  v.page_down(src, 9);
  v.page_down(src, 9);
  EXPECT_TRUE(v.following());
  EXPECT_EQ(ids(v.visible(src, 10)).back(), 39);
}

TEST(ChatViewport, PageUpLoadsOlderLinesAndStopsAtTheStart) {
  FakeRows src;
  src.end = 12;
  src.older = 7;  // lines -7..-1 still in the file
  Viewport v;
  v.page_up(src, 9, 10);
  EXPECT_EQ(ids(v.visible(src, 10)).front(), -7);  // top reached: the first 10 rows shown
  EXPECT_EQ(src.first, -7);
  EXPECT_GE(src.loads, 2);
  v.page_up(src, 9, 10);
  EXPECT_EQ(ids(v.visible(src, 10)).front(), -7);
  EXPECT_EQ(ids(v.visible(src, 10)).back(), 2);
  // A conversation shorter than the screen does not scroll at all.
  FakeRows short_src;
  short_src.end = 4;
  Viewport w;
  w.page_up(short_src, 9, 10);
  EXPECT_TRUE(w.following());
}

TEST(ChatViewport, RevealPutsTheFirstUnreadLineAtTheTop) {
  FakeRows src;
  src.end = 50;
  Viewport v;
  v.reveal(src, 45, 10);  // 5 rows from 45 to the end: fits, keep following
  EXPECT_TRUE(v.following());
  v.reveal(src, 20, 10);
  EXPECT_FALSE(v.following());
  EXPECT_EQ(ids(v.visible(src, 10)).front(), 20);
}

}  // namespace
}  // namespace ftpchat::chat
