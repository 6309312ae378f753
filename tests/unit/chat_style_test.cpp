// The terminal client's reading of log lines and how it styles them: nick colours (stable
// hash), mentions of the user's nick, /me actions, notices, delivery marks; and what typed
// lines mean (commands).
#include <gtest/gtest.h>

#include <set>

#include "cli/ftpchat/chat/chat_command.hpp"
#include "cli/ftpchat/chat/line_style.hpp"
#include "cli/ftpchat/chat/log_line.hpp"
#include "cli/ftpchat/chat/nick_style.hpp"

namespace ftpchat::chat {
namespace {

FeedLine feed_line(std::string text) {
  FeedLine l{std::move(text), {}};
  l.parts = parse_log_line(l.text);
  return l;
}

std::vector<Style> styles(const StyledLine& l) {
  std::vector<Style> out;
  for (const Span& s : l.spans) out.push_back(s.style);
  return out;
}

std::string spanned(const StyledLine& l, Style style) {
  for (const Span& s : l.spans)
    if (s.style == style) return l.text.substr(s.begin, s.end - s.begin);
  return "<none>";
}

TEST(ChatLogLine, PartsOfMessagesAndNotices) {
  const std::string msg = "2026-11-27 10:59:43 <alice> hello <b> everyone";
  const LogLine p = parse_log_line(msg);
  EXPECT_EQ(p.kind, LineKind::message);
  EXPECT_EQ(msg.substr(0, p.time_end), "2026-11-27 10:59:43");
  EXPECT_EQ(nick_of(msg, p), "alice");
  EXPECT_EQ(body_of(msg, p), "hello <b> everyone");
  const std::string notice = "2026-11-27 10:59:43 -!- 2 records skipped";
  EXPECT_EQ(parse_log_line(notice).kind, LineKind::notice);
  EXPECT_EQ(body_of(notice, parse_log_line(notice)), "2 records skipped");
  EXPECT_EQ(parse_log_line("not a log line").kind, LineKind::other);
  EXPECT_EQ(parse_log_line("2026-11-27 10:59:43 <no closing").kind, LineKind::other);
  EXPECT_EQ(nick_of("2026-11-27 10:59:43 <> empty nick",
                    parse_log_line("2026-11-27 10:59:43 <> empty nick")),
            "");
}

TEST(ChatLogLine, ActionsAreMessagesStartingWithTheSendersNick) {
  EXPECT_EQ(action_body("alice", "waves"), "* alice waves");
  EXPECT_TRUE(is_action("alice", "* alice waves"));
  EXPECT_FALSE(is_action("bob", "* alice waves"));  // bob quoting alice is no action of bob's
  EXPECT_FALSE(is_action("alice", "* alicewaves"));
  EXPECT_FALSE(is_action("alice", "* alice"));
}

TEST(ChatNickColour, StableAndSpread) {
  // Stable: the same index for a nick in every run (FNV-1a of its bytes).
  EXPECT_EQ(nick_hash(""), 2166136261u);
  EXPECT_EQ(nick_hash("a"), 0xe40c292cu);
  EXPECT_EQ(nick_colour_index("alice", 12), nick_colour_index(std::string("alice"), 12));
  EXPECT_EQ(nick_colour_index("alice", 0), 0u);
  // Spread: 40 nicks use most of a 12-colour palette.
  std::set<std::size_t> used;
  for (int i = 0; i < 40; ++i) used.insert(nick_colour_index("user" + std::to_string(i), 12));
  EXPECT_GE(used.size(), 9u);
  for (std::size_t c : used) EXPECT_LT(c, 12u);
}

TEST(ChatMentions, WholeWordsAnyCase) {
  EXPECT_EQ(find_mentions("hi alice, how are you", "alice"), (std::vector<Range>{{3, 8}}));
  EXPECT_EQ(find_mentions("ALICE: ping", "alice"), (std::vector<Range>{{0, 5}}));
  EXPECT_EQ(find_mentions("@alice and alice", "alice"), (std::vector<Range>{{1, 6}, {11, 16}}));
  EXPECT_TRUE(find_mentions("malice aforethought", "alice").empty());
  EXPECT_TRUE(find_mentions("alice_2 is not alice-b", "alice").empty());
  EXPECT_TRUE(find_mentions("alice\xC3\xA9", "alice").empty());  // part of a longer word
  EXPECT_EQ(find_mentions("\xC3\xA9l\xC3\xA8ve: \xC3\xA9l\xC3\xA8ve", "\xC3\xA9l\xC3\xA8ve").size(),
            2u);
  EXPECT_TRUE(find_mentions("anything", "").empty());
}

TEST(ChatLineStyle, MessageOfAnotherMemberMentioningUs) {
  const StyledLine l =
      style_line(feed_line("2026-11-27 10:59:43 <bob> alice: lunch?"), "alice", nullptr, 12);
  EXPECT_EQ(l.text, "2026-11-27 10:59:43 <bob> alice: lunch?");  // exactly the log line
  EXPECT_EQ(styles(l), (std::vector<Style>{Style::time, Style::nick, Style::mention}));
  EXPECT_EQ(spanned(l, Style::nick), "<bob>");
  EXPECT_EQ(l.spans[1].colour, nick_colour_index("bob", 12));
  EXPECT_EQ(spanned(l, Style::mention), "alice");
  EXPECT_EQ(l.indent, 26);  // continuation rows start under "alice:"
}

TEST(ChatLineStyle, OwnLinesActionsNoticesAndMarks) {
  Delivery d{"hello", 7, DeliveryState::pending, {}};
  StyledLine own =
      style_line(feed_line("2026-11-27 10:59:43 <alice> hello alice"), "alice", &d, 12);
  EXPECT_EQ(own.text, "2026-11-27 10:59:43 <alice> hello alice  [pending]");
  EXPECT_EQ(styles(own), (std::vector<Style>{Style::time, Style::own_nick, Style::mark}));
  d.state = DeliveryState::on_server;
  own = style_line(feed_line("2026-11-27 10:59:43 <alice> hello"), "alice", &d, 12);
  EXPECT_EQ(spanned(own, Style::mark), "  [on server]");
  d.state = DeliveryState::read;
  d.read_by = {"bob", "carol"};
  EXPECT_EQ(describe(d), "read by bob, carol");
  d.read_by = {"b", "c", "d", "e"};
  EXPECT_EQ(describe(d), "read by 4");

  const StyledLine action =
      style_line(feed_line("2026-11-27 10:59:43 <bob> * bob waves at alice"), "alice", nullptr, 12);
  EXPECT_EQ(spanned(action, Style::action), "* bob waves at alice");
  const StyledLine notice =
      style_line(feed_line("2026-11-27 10:59:43 -!- 1 record skipped"), "alice", nullptr, 12);
  EXPECT_EQ(spanned(notice, Style::notice), "-!- 1 record skipped");
  FeedLine local{"-- rooms: 1:general", {}};
  local.parts.kind = LineKind::local;
  EXPECT_EQ(styles(style_line(local, "alice", nullptr, 0)), (std::vector<Style>{Style::local}));
  // Without a known nick nothing is a mention.
  EXPECT_EQ(styles(style_line(feed_line("2026-11-27 10:59:43 <bob> alice"), "", nullptr, 12)),
            (std::vector<Style>{Style::time, Style::nick}));
  EXPECT_EQ(marker_line(24).text, "--- new messages -------");
}

TEST(ChatCommands, WhatTypedLinesMean) {
  using K = ChatCommand::Kind;
  EXPECT_EQ(parse_chat_command("hello").kind, K::message);
  EXPECT_EQ(parse_chat_command("  ").kind, K::nothing);
  const ChatCommand slash = parse_chat_command("//etc/passwd is a path");
  EXPECT_EQ(slash.kind, K::message);
  EXPECT_EQ(slash.argument, "/etc/passwd is a path");
  const ChatCommand me = parse_chat_command("/me waves ");
  EXPECT_EQ(me.kind, K::action);
  EXPECT_EQ(me.argument, "waves");
  EXPECT_EQ(parse_chat_command("/me").kind, K::error);
  const ChatCommand join = parse_chat_command("/join random");
  EXPECT_EQ(join.kind, K::join);
  EXPECT_EQ(join.argument, "random");
  EXPECT_EQ(parse_chat_command("/join").kind, K::error);
  EXPECT_EQ(parse_chat_command("/quit").kind, K::quit);
  EXPECT_EQ(parse_chat_command("/rooms").kind, K::rooms);
  EXPECT_EQ(parse_chat_command("/members").kind, K::members);
  EXPECT_EQ(parse_chat_command("/help").kind, K::help);
  const ChatCommand bad = parse_chat_command("/frob x");
  EXPECT_EQ(bad.kind, K::error);
  EXPECT_EQ(bad.argument,
            "unknown command /frob; /help lists the commands, //text sends a line starting with /");
}

}  // namespace
}  // namespace ftpchat::chat
