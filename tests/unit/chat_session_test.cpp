// ChatSession on plain files laid out like a mount (ROOT/ROOM/{log,outbox,status}); the test
// plays the mount: it appends the echo of what the client wrote to log, and edits status.
#include "cli/ftpchat/chat/chat_session.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace ftpchat::chat {
namespace {

namespace fs = std::filesystem;

class ChatSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("ftpchat-session-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    for (const char* room : {"general", "random"}) {
      fs::create_directories(root_ / room);
      write(room, "log", "2026-11-27 09:00:00 <bob> before the client started\n");
      write(room, "outbox", "");
      write(room, "status", "messages pending: 0\nlast error: none\nstate: ok\n");
    }
  }
  void TearDown() override { fs::remove_all(root_); }

  void write(const std::string& room, const std::string& file, const std::string& text) {
    std::ofstream(root_ / room / file, std::ios::trunc) << text;
  }
  void append(const std::string& room, const std::string& text) {
    std::ofstream(root_ / room / "log", std::ios::app) << text << "\n";
  }
  std::string read(const std::string& room, const std::string& file) {
    std::ifstream in(root_ / room / file);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  ChatSession start(const std::string& dir) {
    auto rooms = MountRooms::locate(dir);
    EXPECT_TRUE(rooms.ok()) << rooms.error().detail;
    ChatOptions options;
    options.nick_guess = "guess";
    auto session = ChatSession::start(std::move(rooms.value()), options);
    EXPECT_TRUE(session.ok()) << session.error().detail;
    return std::move(session.value());
  }
  static std::string last_text(ChatSession& s) {
    const RoomFeed& f = *s.active().feed;
    return f.line(f.end_id() - 1).text;
  }

  fs::path root_;
  std::int64_t now_ = 1000;
};

TEST_F(ChatSessionTest, UnreadCountsAndTheMarker) {
  ChatSession s = start(root_.string());
  ASSERT_EQ(s.rooms().size(), 2u);
  EXPECT_EQ(s.active().ref.name, "general");
  EXPECT_EQ(s.rooms()[1].unread, 0);  // history is not unread
  append("random", "2026-11-27 10:00:00 <bob> first new");
  append("random", "2026-11-27 10:00:01 <carol> guess: look");
  append("general", "2026-11-27 10:00:02 <bob> seen at once");
  EXPECT_TRUE(s.poll(now_));
  EXPECT_EQ(s.rooms()[0].unread, 0);  // the room on screen
  EXPECT_EQ(s.rooms()[1].unread, 2);
  EXPECT_EQ(s.rooms()[1].mentions, 1);
  EXPECT_FALSE(s.poll(now_ + 200));  // nothing new
  ASSERT_TRUE(s.switch_to(1));
  ChatRoom& random = s.active();
  EXPECT_EQ(random.unread, 0);
  ASSERT_TRUE(random.marker.has_value());
  EXPECT_EQ(random.feed->line(*random.marker).text, "2026-11-27 10:00:00 <bob> first new");
  EXPECT_TRUE(random.reveal_marker);
  // Leaving the room drops its marker; new lines there count again.
  ASSERT_TRUE(s.switch_to(0));
  EXPECT_FALSE(s.rooms()[1].marker.has_value());
  EXPECT_FALSE(s.switch_to(5));
}

TEST_F(ChatSessionTest, UnreadCountsAndNickComeFromTheMountsStatus) {
  append("random", "2026-11-27 10:00:00 <alice> mine");
  append("random", "2026-11-27 10:00:01 <carol> alice: are you there?");
  append("random", "2026-11-27 10:00:02 <bob> last");
  write("random", "status", "nick: alice\nunread: 2\nmessages pending: 0\n");
  write("general", "status", "nick: alice\nunread: 0\nmessages pending: 0\n");
  ChatSession s = start(root_.string());
  EXPECT_TRUE(s.nick_known());  // no guess: the mount says
  EXPECT_EQ(s.nick(), "alice");
  ChatRoom& random = s.rooms()[1];
  EXPECT_EQ(random.unread, 2);  // from before the client started
  EXPECT_EQ(random.mentions, 1);
  ASSERT_TRUE(random.first_unread.has_value());
  EXPECT_EQ(random.feed->line(*random.first_unread).text,
            "2026-11-27 10:00:01 <carol> alice: are you there?");
  // Each line knows where it ends in the log (what the client tells the mount it showed).
  const std::string log = read("random", "log");
  for (std::int64_t id = random.feed->first_id(); id < random.feed->end_id(); ++id) {
    const FeedLine& line = random.feed->line(id);
    EXPECT_EQ(log.substr(0, static_cast<std::size_t>(line.end)).rfind(line.text + "\n"),
              static_cast<std::size_t>(line.end) - line.text.size() - 1);
  }
  // Someone read the room elsewhere (cat log): the mount's count wins.
  write("random", "status", "nick: alice\nunread: 0\nmessages pending: 0\n");
  EXPECT_TRUE(s.poll(now_ + 1000));
  EXPECT_EQ(random.unread, 0);
  EXPECT_EQ(random.mentions, 0);
  EXPECT_FALSE(random.first_unread.has_value());
}

TEST_F(ChatSessionTest, SendingTrackingAndActions) {
  ChatSession s = start((root_ / "general").string());  // a room folder outside any mount
  EXPECT_EQ(s.submit("hello there", now_), ChatSession::Outcome::stay);
  EXPECT_EQ(read("general", "outbox"), "hello there\n");  // as echo >> outbox writes it
  EXPECT_EQ(s.deliveries().pending("general"), 1u);
  // The mount echoes the line under its nick, which the client learns from it.
  write("general", "status", "messages pending: 1\nlast error: cannot connect\n");
  append("general", "2026-11-27 10:00:00 <alice> hello there");
  s.poll(now_);
  EXPECT_TRUE(s.nick_known());
  EXPECT_EQ(s.nick(), "alice");
  const RoomFeed& feed = *s.active().feed;
  const std::int64_t own = feed.end_id() - 1;
  ASSERT_NE(s.deliveries().find("general", own), nullptr);
  EXPECT_EQ(s.styled(s.active(), own, 0).text,
            "2026-11-27 10:00:00 <alice> hello there  [pending]");
  EXPECT_EQ(s.active().server_problem, "cannot connect");
  write("general", "status", "messages pending: 0\nlast error: none\n");
  EXPECT_TRUE(s.poll(now_ + 200));
  EXPECT_EQ(s.styled(s.active(), own, 0).text,
            "2026-11-27 10:00:00 <alice> hello there  [on server]");
  EXPECT_EQ(s.active().server_problem, "");
  // /me is a plain message "* NICK ACTION"; "//x" sends "/x".
  s.submit("/me waves", now_);
  s.submit("//slash", now_);
  EXPECT_EQ(read("general", "outbox"), "hello there\n* alice waves\n/slash\n");
}

TEST_F(ChatSessionTest, CommandsAnswerInTheRoom) {
  ChatSession s = start((root_ / "general").string());
  ASSERT_EQ(s.rooms().size(), 1u);  // a plain folder is no mount root: that room alone
  s.submit("/frob", now_);
  EXPECT_EQ(last_text(s).rfind("-- unknown command /frob", 0), 0u) << last_text(s);
  s.submit("/members", now_);
  EXPECT_NE(last_text(s).find("bob  last spoke 2026-11-27 09:00:00, 1 message"), std::string::npos)
      << last_text(s);
  s.submit("/join random", now_);
  EXPECT_NE(last_text(s).find("no room random (this client shows one room)"), std::string::npos);
  EXPECT_EQ(s.submit("/quit", now_), ChatSession::Outcome::quit);
  EXPECT_EQ(read("general", "outbox"), "");  // no command reached the outbox
}

TEST_F(ChatSessionTest, JoinByNameOrNumberAndNewRooms) {
  ChatSession s = start(root_.string());
  s.submit("/join random", now_);
  EXPECT_EQ(s.active().ref.name, "random");
  s.submit("/join 1", now_);
  EXPECT_EQ(s.active().ref.name, "general");
  fs::create_directories(root_ / "zeta");
  write("zeta", "log", "");
  write("zeta", "outbox", "");
  s.submit("/join zeta", now_);  // not seen yet: the mount is listed again
  EXPECT_EQ(s.active().ref.name, "zeta");
  EXPECT_EQ(s.rooms().size(), 3u);
  s.submit("/rooms", now_);
  EXPECT_NE(last_text(s).find("1:general  2:random  3:zeta (shown)"), std::string::npos)
      << last_text(s);
}

}  // namespace
}  // namespace ftpchat::chat
