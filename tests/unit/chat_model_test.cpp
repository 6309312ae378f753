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
  // Receipts, through ROOM/status's "sent N" (newest first): bob read "two", so "one" before
  // it too; the newest "one" is on the server, unread.
  const auto sent = [](std::string_view value) { return *parse_sent(value); };
  EXPECT_TRUE(t.status_sent("general", {sent("2026-12-01T15:00:02Z on server: one"),
                                        sent("2026-12-01T15:00:01Z read by 1 (bob): two")}));
  EXPECT_EQ(describe(*t.find("general", 12)), "read by bob");
  EXPECT_EQ(describe(*t.find("general", 10)), "read by bob");
  EXPECT_EQ(describe(*t.find("general", 14)), "on server");
  EXPECT_FALSE(t.status_sent("general", {sent("2026-12-01T15:00:01Z read by 1 (bob): two")}));
  // Many readers: the mount gives the count without names.
  EXPECT_TRUE(t.status_sent("general", {sent("2026-12-01T15:00:02Z read by 5: one")}));
  EXPECT_EQ(describe(*t.find("general", 14)), "read by 5");
  EXPECT_EQ(describe(*t.find("general", 12)), "read by 5");
}

TEST(ChatDelivery, SentLinesOfStatusParse) {
  auto s = parse_sent("2026-12-01T15:21:40Z read by 2 (bob, carol): thanks: both \u2026");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->time, "2026-12-01T15:21:40Z");
  EXPECT_EQ(s->state, DeliveryState::read);
  EXPECT_EQ(s->read_count, 2u);
  EXPECT_EQ(s->read_by, (std::vector<std::string>{"bob", "carol"}));
  EXPECT_EQ(s->text, "thanks: both \u2026");
  EXPECT_TRUE(sent_text_matches("thanks: both of you", s->text));  // cut short
  EXPECT_FALSE(sent_text_matches("thanks: all", s->text));
  EXPECT_TRUE(sent_text_matches("exact", "exact"));
  EXPECT_FALSE(sent_text_matches("exact and more", "exact"));
  EXPECT_EQ(parse_sent("2026-12-01T15:21:40Z queued: x")->state, DeliveryState::pending);
  EXPECT_EQ(parse_sent("2026-12-01T15:21:40Z on server: x")->state, DeliveryState::on_server);
  EXPECT_FALSE(parse_sent("2026-12-01T15:21:40Z lost: x"));
  EXPECT_FALSE(parse_sent("2026-12-01T15:21:40Z read by many: x"));
  EXPECT_FALSE(parse_sent("nonsense"));
}

TEST(ChatStatus, ParsesTheMountsKeys) {
  const RoomStatus s = interpret_status(parse_status(
      "room: general\nmessages pending: 3\nmessages sent: 7\nlast error: cannot connect: "
      "refused\nstate: ok\n"));
  EXPECT_EQ(s.pending, 3u);
  EXPECT_EQ(s.last_error, "cannot connect: refused");
  EXPECT_EQ(s.state, "ok");
  EXPECT_EQ(interpret_status(parse_status("last error: none\n")).last_error, "");
  EXPECT_FALSE(s.unread.has_value());  // a mount that does not count
  const RoomStatus counted = interpret_status(parse_status("nick: al ice\nunread: 12\n"));
  EXPECT_EQ(counted.unread, 12u);
  EXPECT_EQ(counted.nick, "al ice");
  EXPECT_FALSE(interpret_status(parse_status("unread: many\n")).unread.has_value());
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

TEST(ChatMembers, MemberFileLinesWithAndWithoutReadUpTo) {
  auto m = parse_member_line("bob ftpchat1Zx81PqRw member 2 2026-12-01T15:10:12Z "
                             "2026-12-01T15:21:41Z 5f0c");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->name, "bob");
  EXPECT_EQ(m->role, "member");
  EXPECT_EQ(m->devices, 2u);
  EXPECT_EQ(m->read_time, "2026-12-01T15:21:41Z");
  EXPECT_EQ(m->read_id, "5f0c");
  auto plain = parse_member_line("alice ftpchat1Kq3v9xYb owner 1 2026-12-01T15:10:12Z");
  ASSERT_TRUE(plain);
  EXPECT_TRUE(plain->read_time.empty());
  auto none = parse_member_line("carol ftpchat1Kq3v9xYb member 1 2026-12-01T15:10:12Z - -");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->read_time.empty());
  EXPECT_FALSE(parse_member_line("carol ftpchat1Kq3v9xYb member x 2026-12-01T15:10:12Z"));
  EXPECT_FALSE(parse_member_line("just three words"));
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  EXPECT_EQ(local_time_of("2026-12-01T15:21:41Z"), "2026-12-01 15:21:41");
  EXPECT_EQ(local_time_of("not a time"), "not a time");
}

}  // namespace
}  // namespace ftpchat::chat
