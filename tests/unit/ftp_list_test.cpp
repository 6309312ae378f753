// Unit tests for FTP LIST parsing: Unix "ls -l" and DOS/IIS styles, and what is skipped.
#include "ftpchat/transport/ftp_list.hpp"

#include <gtest/gtest.h>

namespace ftpchat {
namespace {

DirEntry parse_one(std::string_view line) {
  auto entry = parse_ftp_list_line(line);
  EXPECT_TRUE(entry.has_value()) << line;
  return entry.value_or(DirEntry{});
}

TEST(FtpList, UnixFileAndDirectory) {
  DirEntry file = parse_one("-rw-r--r--   1 chat     chat         1234 Nov 27 10:59 log");
  EXPECT_EQ(file.name, "log");
  EXPECT_FALSE(file.is_dir);
  EXPECT_EQ(file.size, 1234u);

  DirEntry dir = parse_one("drwxr-xr-x   2 chat     chat         4096 Nov 27  2023 room");
  EXPECT_EQ(dir.name, "room");
  EXPECT_TRUE(dir.is_dir);
}

TEST(FtpList, PyftpdlibLine) {
  DirEntry e = parse_one("-rw-r--r--   1 root     root           12 Nov 27 12:02 hello.txt");
  EXPECT_EQ(e.name, "hello.txt");
  EXPECT_EQ(e.size, 12u);
}

TEST(FtpList, NamesWithSpacesAndUtf8) {
  EXPECT_EQ(parse_one("-rw-r--r-- 1 u g 5 Jan  2 03:04 two words  here").name, "two words  here");
  EXPECT_EQ(parse_one("-rw-r--r-- 1 u g 5 Jan  2 03:04  leading space").name, " leading space");
  EXPECT_EQ(parse_one("-rw-r--r-- 1 u g 5 Jan  2 03:04 trailing ").name, "trailing ");
  EXPECT_EQ(parse_one("drwxr-xr-x 2 u g 5 Feb 28 2024 \xC3\xA9t\xC3\xA9 \xE2\x98\x83").name,
            "\xC3\xA9t\xC3\xA9 \xE2\x98\x83");
  // A name that itself looks like a date column stays whole.
  EXPECT_EQ(parse_one("-rw-r--r-- 1 u g 5 Jan  2 03:04 Dec 31 2020 notes").name,
            "Dec 31 2020 notes");
}

TEST(FtpList, LargeSizes) {
  EXPECT_EQ(parse_one("-rw-r--r-- 1 u g 18446744073709551615 Jan 2 03:04 big").size,
            18446744073709551615ull);
  EXPECT_FALSE(parse_ftp_list_line("-rw-r--r-- 1 u g 18446744073709551616 Jan 2 03:04 big"));
}

TEST(FtpList, SymlinkNameStopsBeforeArrow) {
  DirEntry e = parse_one("lrwxrwxrwx   1 u g   11 Nov 27 10:59 my link -> target dir");
  EXPECT_EQ(e.name, "my link");
  EXPECT_FALSE(e.is_dir);
  // Only links are cut at " -> ": a regular file may contain it.
  EXPECT_EQ(parse_one("-rw-r--r-- 1 u g 1 Nov 27 10:59 a -> b").name, "a -> b");
}

TEST(FtpList, MissingGroupColumnAndIsoDates) {
  DirEntry no_group = parse_one("-rw-r--r-- 1 owner 77 Mar  3 09:00 f");
  EXPECT_EQ(no_group.name, "f");
  EXPECT_EQ(no_group.size, 77u);
  DirEntry iso = parse_one("-rw-r--r-- 1 u g 42 2024-03-03 09:00 iso name");
  EXPECT_EQ(iso.name, "iso name");
  EXPECT_EQ(iso.size, 42u);
  EXPECT_EQ(parse_one("-rw-r--r--+ 1 u g 9 mar 3 09:00 acl").name, "acl");
}

TEST(FtpList, DosStyle) {
  DirEntry dir = parse_one("11-27-26  10:59AM       <DIR>          room one");
  EXPECT_EQ(dir.name, "room one");
  EXPECT_TRUE(dir.is_dir);
  EXPECT_FALSE(dir.size.has_value());

  DirEntry file = parse_one("11-27-26  10:59PM                 1234 log.txt");
  EXPECT_EQ(file.name, "log.txt");
  EXPECT_FALSE(file.is_dir);
  EXPECT_EQ(file.size, 1234u);

  EXPECT_EQ(parse_one("01-02-2026  03:04PM  5 y2k safe").name, "y2k safe");
}

TEST(FtpList, SkipsTotalDotsAndGarbage) {
  EXPECT_FALSE(parse_ftp_list_line("total 12"));
  EXPECT_FALSE(parse_ftp_list_line("drwxr-xr-x 2 u g 4096 Nov 27 10:59 ."));
  EXPECT_FALSE(parse_ftp_list_line("drwxr-xr-x 2 u g 4096 Nov 27 10:59 .."));
  EXPECT_FALSE(parse_ftp_list_line(""));
  EXPECT_FALSE(parse_ftp_list_line("this is not a listing"));
  EXPECT_FALSE(parse_ftp_list_line("-rw-r--r-- 1 u g 12 Nov 27 10:59"));  // no name
  EXPECT_FALSE(parse_ftp_list_line("-rw-r--r-- 1 u g twelve Nov 27 10:59 x"));
  EXPECT_FALSE(parse_ftp_list_line("11-27-26  10:59XM  <DIR>  x"));
}

TEST(FtpList, WholeListingKeepsOrderAndReportsUnparsedLines) {
  const std::string text =
      "total 8\r\n"
      "drwxr-xr-x 2 u g 4096 Nov 27 10:59 .\r\n"
      "drwxr-xr-x 2 u g 4096 Nov 27 10:59 ..\r\n"
      "drwxr-xr-x 2 u g 4096 Nov 27 10:59 room a\r\n"
      "garbage line\r\n"
      "-rw-r--r-- 1 u g 3 Nov 27 10:59 .hidden\r\n"
      "\r\n"
      "11-27-26  10:59AM  7 dos file\n"
      "-rw-r--r-- 1 u g 9 Nov 27 10:59 last";  // no final line ending
  FtpListing listing = parse_ftp_listing(text);
  ASSERT_EQ(listing.entries.size(), 4u);
  EXPECT_EQ(listing.entries[0].name, "room a");
  EXPECT_TRUE(listing.entries[0].is_dir);
  EXPECT_EQ(listing.entries[1].name, ".hidden");
  EXPECT_EQ(listing.entries[2].name, "dos file");
  EXPECT_EQ(listing.entries[2].size, 7u);
  EXPECT_EQ(listing.entries[3].name, "last");
  ASSERT_EQ(listing.unparsed.size(), 1u);
  EXPECT_EQ(listing.unparsed[0], "garbage line\r");
}

TEST(FtpList, EmptyListing) {
  FtpListing listing = parse_ftp_listing("");
  EXPECT_TRUE(listing.entries.empty());
  EXPECT_TRUE(listing.unparsed.empty());
}

}  // namespace
}  // namespace ftpchat
