// STAT <folder> replies as vsftpd 3.0.3, pure-ftpd 1.0.50, proftpd 1.3.8 and pyftpdlib 1.5.7
// sent them (captured on 127.0.0.1), and the replies of servers without a STAT listing.
#include "../../src/transport/ftp_stat.hpp"

#include <gtest/gtest.h>

namespace ftpchat {
namespace {

// The control lines of one request on a fresh connection: login, then the STAT reply.
std::vector<std::string> with_login(std::vector<std::string> stat_reply) {
  std::vector<std::string> lines = {"220 (vsFTPd 3.0.3)", "331 Please specify the password.",
                                    "230 Login successful.",
                                    "257 \"/srv\" is the current directory"};
  lines.insert(lines.end(), stat_reply.begin(), stat_reply.end());
  return lines;
}

std::vector<std::string> names(const StatListing& s) {
  std::vector<std::string> out;
  for (const auto& e : s.listing.entries) out.push_back(e.name);
  return out;
}

const DirEntry* entry(const StatListing& s, const std::string& name) {
  for (const auto& e : s.listing.entries)
    if (e.name == name) return &e;
  return nullptr;
}

TEST(FtpStat, CommandNamesTheFolderSafely) {
  EXPECT_EQ(stat_command("chat/room/2026-12/"), "STAT chat/room/2026-12/");
  EXPECT_EQ(stat_command(""), "STAT .");         // a bare STAT is the server's status
  EXPECT_EQ(stat_command("-x/"), "STAT ./-x/");  // not ls options
  EXPECT_EQ(stat_command("/abs/dir/"), "STAT /abs/dir/");
  EXPECT_EQ(stat_command("a b/\xC3\xBC/"), "STAT a b/\xC3\xBC/");
}

TEST(FtpStat, VsftpdListsDotEntriesAndSpacesAndUtf8) {
  const FtpReply reply = stat_reply(with_login({
      "213-Status follows:",
      "-rw-r--r--    1 1001     1001            0 Dec 01 17:09 -dash",
      "drwxr-xr-x    3 1001     1001         4096 Dec 01 17:09 .",
      "drwxr-xr-x    3 1001     1001         4096 Dec 01 17:09 ..",
      "-rw-r--r--    1 1001     1001            3 Dec 01 17:09 name with  spaces ",
      "drwxr-xr-x    2 1001     1001         4096 Dec 01 17:09 subdir",
      "-rw-r--r--    1 1001     1001           91 Dec 01 17:09 writer-a",
      "-rw-r--r--    1 1001     1001            2 Dec 01 17:09 \xC3\xBCn\xC3\xAF \xC2\xA9",
      "213 End of status",
  }));
  EXPECT_EQ(reply.code, 213);
  const StatListing s = judge_stat_reply(reply);
  ASSERT_EQ(s.verdict, StatVerdict::listing);
  EXPECT_TRUE(s.listing.has_dot);
  EXPECT_EQ(names(s), (std::vector<std::string>{"-dash", "name with  spaces ", "subdir", "writer-a",
                                                "\xC3\xBCn\xC3\xAF \xC2\xA9"}));
  ASSERT_NE(entry(s, "writer-a"), nullptr);
  EXPECT_EQ(entry(s, "writer-a")->size, 91u);
  EXPECT_TRUE(entry(s, "subdir")->is_dir);
}

TEST(FtpStat, VsftpdEmptyFolderShowsItExistsAndMissingFolderIsEmpty) {
  const StatListing empty = judge_stat_reply(stat_reply({
      "213-Status follows:",
      "drwxr-xr-x    2 1001     1001         4096 Dec 01 17:09 .",
      "drwxr-xr-x    4 1001     1001         4096 Dec 01 17:09 ..",
      "213 End of status",
  }));
  EXPECT_EQ(empty.verdict, StatVerdict::listing);
  EXPECT_TRUE(empty.listing.entries.empty());
  EXPECT_TRUE(empty.listing.has_dot);

  const StatListing missing =
      judge_stat_reply(stat_reply({"213-Status follows:", "213 End of status"}));
  EXPECT_EQ(missing.verdict, StatVerdict::empty);
}

TEST(FtpStat, PyftpdlibTitleAndMissingFolder) {
  const StatListing s = judge_stat_reply(stat_reply(with_login({
      "213-Status of \"/chat/room/2026-12\":",
      "-rw-r--r--   1 root     root           91 Dec 01 17:09 writer-a",
      "-rw-r--r--   1 root     root            2 Dec 01 17:09 \xC3\xBCn\xC3\xAF \xC2\xA9",
      "213 End of status.",
  })));
  ASSERT_EQ(s.verdict, StatVerdict::listing);
  EXPECT_FALSE(s.listing.has_dot);
  EXPECT_EQ(names(s), (std::vector<std::string>{"writer-a", "\xC3\xBCn\xC3\xAF \xC2\xA9"}));

  EXPECT_EQ(judge_stat_reply(stat_reply({"213-Status of \"/chat/empty\":", "213 End of status."}))
                .verdict,
            StatVerdict::empty);
  EXPECT_EQ(judge_stat_reply(stat_reply(with_login({"550 No such file or directory."}))).verdict,
            StatVerdict::refused);
}

TEST(FtpStat, PureFtpdShortTitles) {
  const StatListing s = judge_stat_reply(stat_reply({
      "213-STAT",
      "-rw-r--r--    1 65534      nogroup            91 Dec  1 17:09 writer-a",
      "drwxr-xr-x    2 65534      nogroup          4096 Dec  1 17:09 subdir",
      "213 End.",
  }));
  ASSERT_EQ(s.verdict, StatVerdict::listing);
  EXPECT_EQ(names(s), (std::vector<std::string>{"writer-a", "subdir"}));
  EXPECT_EQ(judge_stat_reply(stat_reply({"213-STAT", "213 End."})).verdict, StatVerdict::empty);
}

TEST(FtpStat, ProftpdIndentedLinesAndCode212) {
  const StatListing s = judge_stat_reply(stat_reply({
      "212-Status of chat/room/2026-12:",
      " -rw-r--r--   1 chat     65534           0 Dec  1 17:09 -dash",
      " drwxr-xr-x   3 chat     65534        4096 Dec  1 17:09 .",
      " drwxr-xr-x   3 chat     65534        4096 Dec  1 17:09 ..",
      " -rw-r--r--   1 chat     65534           3 Dec  1 17:09 name with  spaces ",
      "212 End of status",
  }));
  ASSERT_EQ(s.verdict, StatVerdict::listing);
  EXPECT_TRUE(s.listing.has_dot);
  EXPECT_EQ(names(s), (std::vector<std::string>{"-dash", "name with  spaces "}));
  EXPECT_EQ(judge_stat_reply(stat_reply({"450 chat/nope: No such file or directory"})).verdict,
            StatVerdict::refused);
}

TEST(FtpStat, BodyLinesRepeatingTheCodeLoseIt) {
  const FtpReply reply = stat_reply({
      "211-Status of room:",
      "211--rw-r--r-- 1 u g 5 Jan  2 03:04 writer-a",
      "211 End",
  });
  ASSERT_EQ(reply.body.size(), 1u);
  const StatListing s = judge_stat_reply(reply);
  ASSERT_EQ(s.verdict, StatVerdict::listing);
  EXPECT_EQ(names(s), std::vector<std::string>{"writer-a"});
}

TEST(FtpStat, ServersWithoutAStatListing) {
  // Unknown or unimplemented commands, and arguments refused.
  for (const char* line :
       {"500 Command \"STAT\" not understood.", "502 Command not implemented.",
        "501 Syntax error in parameters", "504 Not implemented for that parameter",
        "202 Command not implemented, superfluous at this site."}) {
    const StatListing s = judge_stat_reply(stat_reply(with_login({line})));
    EXPECT_EQ(s.verdict, StatVerdict::lacks) << line;
    EXPECT_NE(s.note.find("server lacks STAT"), std::string::npos) << s.note;
  }
  // The server's own status instead of the folder's listing (pyftpdlib's bare STAT).
  const StatListing status = judge_stat_reply(stat_reply({
      "211-FTP server status:",
      " Connected to: 127.0.0.1:2121",
      " Waiting for: username",
      " TYPE: ASCII; STRUcture: File; MODE: Stream",
      " Data connection closed.",
      "211 End of status.",
  }));
  EXPECT_EQ(status.verdict, StatVerdict::lacks);
  EXPECT_EQ(status.note, "STAT answers without a listing");
  // No reply line at all.
  EXPECT_EQ(judge_stat_reply(stat_reply({})).verdict, StatVerdict::lacks);
}

TEST(FtpStat, CwdBackToTheLoginFolderAfterTheStatIsNotItsReply) {
  const FtpReply listing = stat_reply({"213-STAT", "-rw-r--r-- 1 u g 5 Jan  2 03:04 a", "213 End.",
                                       "250 OK. Current directory is /"});
  EXPECT_EQ(listing.code, 213);
  EXPECT_EQ(listing.body.size(), 1u);
  const FtpReply refused =
      stat_reply({"450 chat/nope: No such file or directory", "250 CWD command successful"});
  EXPECT_EQ(refused.code, 450);
  EXPECT_EQ(judge_stat_reply(refused).verdict, StatVerdict::refused);
}

TEST(FtpStat, TheLastReplyWinsAndSingleLineRepliesHaveNoBody) {
  const FtpReply reply = stat_reply(
      {"213-Status follows:", "-rw-r--r-- 1 u g 5 Jan  2 03:04 a", "213 End", "213 12345"});
  EXPECT_EQ(reply.code, 213);
  EXPECT_TRUE(reply.body.empty());
  // An unfinished multi-line reply (connection cut) is no reply.
  EXPECT_EQ(stat_reply({"213-Status follows:", "-rw-r--r-- 1 u g 5 Jan  2 03:04 a"}).code, 0);
}

TEST(FtpStat, SameNamesIgnoresOrderAndSizes) {
  const std::vector<DirEntry> a = {{"x", false, 1}, {"y", true, std::nullopt}};
  const std::vector<DirEntry> b = {{"y", true, 4096}, {"x", false, 5}};
  const std::vector<DirEntry> c = {{"x", false, 1}};
  const std::vector<DirEntry> d = {{"x", false, 1}, {"z", false, 1}};
  EXPECT_TRUE(same_names(a, b));
  EXPECT_FALSE(same_names(a, c));
  EXPECT_FALSE(same_names(a, d));
  EXPECT_TRUE(same_names({}, {}));
}

}  // namespace
}  // namespace ftpchat
