// Nick completion on the client's input line: the word before the cursor, the latest
// speaker whose nick starts with it (letter case aside), ": " at the start of a line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli/ftpchat/chat/nick_complete.hpp"

namespace ftpchat::chat {
namespace {

TEST(ChatNickComplete, TheLatestSpeakerStartingWithTheWordBeforeTheCursor) {
  const std::vector<std::wstring> speakers{L"bobby", L"Bob", L"carol"};  // newest first
  auto c = complete_nick(L"bo", 2, speakers);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->erase, 2u);
  EXPECT_EQ(c->insert, L"bobby: ");  // the start of the line: an address
  c = complete_nick(L"thanks BOB", 10, {L"Bob", L"bobby"});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->erase, 3u);
  EXPECT_EQ(c->insert, L"Bob ");                      // elsewhere: a word
  c = complete_nick(L"hi ca and more", 5, speakers);  // the cursor after "ca"
  ASSERT_TRUE(c);
  EXPECT_EQ(c->erase, 2u);
  EXPECT_EQ(c->insert, L"carol ");
  EXPECT_FALSE(complete_nick(L"hi ", 3, speakers));  // no word before the cursor
  EXPECT_FALSE(complete_nick(L"", 0, speakers));
  EXPECT_FALSE(complete_nick(L"hi dave", 7, speakers));  // nobody starts so
  EXPECT_FALSE(complete_nick(L"bo", 2, {}));
}

TEST(ChatNickComplete, SpeakersNewestFirstOnceWithoutTheUserAndNotices) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("ftpchat-complete-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto log = dir / "log";
  std::ofstream(log) << "2026-11-27 09:00:00 <bob> one\n"
                        "2026-11-27 09:00:01 <carol> two\n"
                        "2026-11-27 09:00:02 -!- dave joined (a notice, no speaker)\n"
                        "2026-11-27 09:00:03 <alice> mine\n"
                        "2026-11-27 09:00:04 <bob> three\n"
                        "2026-11-27 09:00:05 <bob~1a2b3c4d> the other bob\n";
  auto feed = RoomFeed::open(log.string(), 100);
  ASSERT_TRUE(feed) << feed.error().detail;
  EXPECT_EQ(recent_speakers(*feed, "alice"),
            (std::vector<std::string>{"bob~1a2b3c4d", "bob", "carol"}));
  EXPECT_EQ(recent_speakers(*feed, "alice", 2), (std::vector<std::string>{"bob~1a2b3c4d", "bob"}));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ftpchat::chat
