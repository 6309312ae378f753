// Unit tests for the WebDAV append decisions: the probe's verdict for each server behaviour
// seen (Apache, lighttpd with and without partial-put-copy-modify, SabreDAV, a server that
// replaces), the Content-Range header, and the size check after a ranged PUT.
#include "ftpchat/transport/dav_append.hpp"

#include <gtest/gtest.h>

namespace ftpchat {
namespace {

using Way = DavAppendVerdict::Way;

DavAppendVerdict verdict(long create, long ranged, std::optional<std::string> content) {
  return decide_dav_append(DavProbe{create, ranged, std::move(content)});
}

TEST(DavAppend, HonouredContentRangeMeansRangedPut) {
  // Apache (204 on the ranged PUT), lighttpd with partial-put-copy-modify (204 too).
  DavAppendVerdict v = verdict(201, 204, "abcd");
  EXPECT_EQ(v.way, Way::ranged_put);
  EXPECT_EQ(v.note, "ranged PUT, size-checked");
  EXPECT_EQ(verdict(201, 200, "abcd").way, Way::ranged_put);
}

TEST(DavAppend, RefusedContentRangeMeansRewrite) {
  // lighttpd without the option and SabreDAV answer 400; others 501, 405 or 403.
  for (long status : {400L, 403L, 405L, 409L, 416L, 501L}) {
    DavAppendVerdict v = verdict(201, status, std::nullopt);
    EXPECT_EQ(v.way, Way::rewrite) << status;
    EXPECT_EQ(v.note, "server refuses Content-Range PUT, HTTP " + std::to_string(status));
  }
}

TEST(DavAppend, AcceptedButWrongBytesMeansRewrite) {
  DavAppendVerdict replaced = verdict(201, 204, "cd");
  EXPECT_EQ(replaced.way, Way::rewrite);
  EXPECT_EQ(replaced.note, "server ignores Content-Range and replaces the file");
  for (const std::string& content : {std::string("cdab"), std::string("abcdcd"), std::string("ab"),
                                     std::string(), std::string("ab\0\0cd", 6)}) {
    DavAppendVerdict v = verdict(201, 204, content);
    EXPECT_EQ(v.way, Way::rewrite) << content;
    EXPECT_EQ(v.note, "server wrote a Content-Range PUT elsewhere than asked");
  }
}

TEST(DavAppend, NoAnswerOrServerTroubleDecidesNothing) {
  EXPECT_EQ(verdict(0, 0, std::nullopt).way, Way::undecided);
  EXPECT_EQ(verdict(0, 0, std::nullopt).note, "append probe got no answer");
  EXPECT_EQ(verdict(503, 0, std::nullopt).way, Way::undecided);
  EXPECT_EQ(verdict(503, 0, std::nullopt).note, "append probe failed, HTTP 503");
  EXPECT_EQ(verdict(201, 0, std::nullopt).way, Way::undecided);
  EXPECT_EQ(verdict(201, 502, std::nullopt).way, Way::undecided);
  // Accepted, but the file could not be read back: the bytes decide, so nothing is known.
  EXPECT_EQ(verdict(201, 204, std::nullopt).way, Way::undecided);
}

TEST(DavAppend, RefusedProbeFileMeansRewrite) {
  DavAppendVerdict v = verdict(403, 0, std::nullopt);
  EXPECT_EQ(v.way, Way::rewrite);
  EXPECT_EQ(v.note, "append probe refused, HTTP 403");
  EXPECT_EQ(verdict(507, 0, std::nullopt).way, Way::undecided);  // 5xx: maybe later
}

TEST(DavAppend, MissingFolderDecidesNothing) {
  for (long status : {404L, 409L}) {
    DavAppendVerdict v = verdict(status, 0, std::nullopt);
    EXPECT_EQ(v.way, Way::undecided) << status;
    EXPECT_EQ(v.note, "append probe found no folder, HTTP " + std::to_string(status));
  }
}

TEST(DavAppend, ContentRangeNamesFirstAndLastByte) {
  EXPECT_EQ(dav_content_range(2, 2), "Content-Range: bytes 2-3/*");
  EXPECT_EQ(dav_content_range(0, 1), "Content-Range: bytes 0-0/*");
  EXPECT_EQ(dav_content_range(4294967296ull, 10), "Content-Range: bytes 4294967296-4294967305/*");
}

TEST(DavAppend, SizeAfterMustBeExactlyOffsetPlusLength) {
  EXPECT_TRUE(check_dav_append(100, 25, 125, "dav://h/r/w").ok());
  for (std::optional<std::uint64_t> seen :
       {std::optional<std::uint64_t>(124), std::optional<std::uint64_t>(126),
        std::optional<std::uint64_t>(25), std::optional<std::uint64_t>(100),
        std::optional<std::uint64_t>()}) {
    auto checked = check_dav_append(100, 25, seen, "dav://h/r/w");
    ASSERT_FALSE(checked.ok());
    EXPECT_EQ(checked.error().code, Errc::protocol);
  }
  EXPECT_EQ(check_dav_append(100, 25, 150, "dav://h/r/w").error().detail,
            "appending to dav://h/r/w: the file is 150 bytes after writing 25 bytes at offset "
            "100, not 125; it is read again before the next send");
  EXPECT_NE(check_dav_append(0, 1, std::nullopt, "x").error().detail.find("of unknown size"),
            std::string::npos);
}

}  // namespace
}  // namespace ftpchat
