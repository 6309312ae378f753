// Unit tests for WebDAV PROPFIND parsing: the replies Apache mod_dav_fs and lighttpd
// mod_webdav give for one folder (captured from the test harness's servers), fed whole and
// byte by byte, and what is refused or left out.
#include "ftpchat/transport/dav_propfind.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace ftpchat {
namespace {

constexpr std::string_view kBase = "http://127.0.0.1:8080/my%20chat/";

// Apache 2.4.71 mod_dav_fs, Depth: 1, our request body (kPropfindListBody).
constexpr std::string_view kApacheReply = R"(<?xml version="1.0" encoding="utf-8"?>
<D:multistatus xmlns:D="DAV:" xmlns:ns0="DAV:">
<D:response xmlns:lp1="DAV:" xmlns:g0="DAV:">
<D:href>/my%20chat/</D:href>
<D:propstat>
<D:prop>
<lp1:resourcetype><D:collection/></lp1:resourcetype>
</D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
<D:propstat>
<D:prop>
<g0:getcontentlength/>
</D:prop>
<D:status>HTTP/1.1 404 Not Found</D:status>
</D:propstat>
</D:response>
<D:response xmlns:lp1="DAV:" xmlns:lp2="http://apache.org/dav/props/">
<D:href>/my%20chat/%c3%a9t%c3%a9%20%e2%98%83.w</D:href>
<D:propstat>
<D:prop>
<lp1:resourcetype/>
<lp1:getcontentlength>7</lp1:getcontentlength>
</D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
</D:response>
<D:response xmlns:lp1="DAV:" xmlns:g0="DAV:">
<D:href>/my%20chat/2026-12/</D:href>
<D:propstat>
<D:prop>
<lp1:resourcetype><D:collection/></lp1:resourcetype>
</D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
<D:propstat>
<D:prop>
<g0:getcontentlength/>
</D:prop>
<D:status>HTTP/1.1 404 Not Found</D:status>
</D:propstat>
</D:response>
<D:response xmlns:lp1="DAV:" xmlns:lp2="http://apache.org/dav/props/">
<D:href>/my%20chat/header</D:href>
<D:propstat>
<D:prop>
<lp1:resourcetype/>
<lp1:getcontentlength>7</lp1:getcontentlength>
</D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
</D:response>
<D:response xmlns:lp1="DAV:" xmlns:lp2="http://apache.org/dav/props/">
<D:href>/my%20chat/a%20b%231%25&amp;%3cx%3e.w</D:href>
<D:propstat>
<D:prop>
<lp1:resourcetype/>
<lp1:getcontentlength>7</lp1:getcontentlength>
</D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
</D:response>
</D:multistatus>
)";

// lighttpd 1.4.69 mod_webdav, same folder and request.
constexpr std::string_view kLighttpdReply = R"(<?xml version="1.0" encoding="utf-8"?>
<D:multistatus xmlns:D="DAV:" xmlns:ns0="urn:uuid:c2f41010-65b3-11d1-a29f-00aa00c14882/">
<D:response>
<D:href>/my%20chat/</D:href>
<D:propstat>
<D:prop>
<D:resourcetype><D:collection/></D:resourcetype><D:getcontentlength>4096</D:getcontentlength></D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
</D:response>
<D:response>
<D:href>/my%20chat/%C3%A9t%C3%A9%20%E2%98%83.w</D:href>
<D:propstat>
<D:prop>
<D:resourcetype/><D:getcontentlength>7</D:getcontentlength></D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
</D:response>
<D:response>
<D:href>/my%20chat/2026-12/</D:href>
<D:propstat>
<D:prop>
<D:resourcetype><D:collection/></D:resourcetype><D:getcontentlength>4096</D:getcontentlength></D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
</D:response>
<D:response>
<D:href>/my%20chat/header</D:href>
<D:propstat>
<D:prop>
<D:resourcetype/><D:getcontentlength>7</D:getcontentlength></D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
</D:response>
<D:response>
<D:href>/my%20chat/a%20b%231%25%26%3Cx%3E.w</D:href>
<D:propstat>
<D:prop>
<D:resourcetype/><D:getcontentlength>7</D:getcontentlength></D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
</D:response>
</D:multistatus>
)";

std::string describe_entries(const std::vector<DirEntry>& entries) {
  std::string out;
  for (const DirEntry& e : entries) {
    out += e.name + (e.is_dir ? "/" : "");
    if (e.size) out += "=" + std::to_string(*e.size);
    out += ";";
  }
  return out;
}

DavListing parse_ok(std::string_view xml, std::string_view base = kBase) {
  auto listing = parse_propfind(base, xml);
  EXPECT_TRUE(listing.ok()) << (listing.ok() ? "" : listing.error().detail);
  return listing.ok() ? std::move(listing.value()) : DavListing{};
}

// One <response> wrapped in a multistatus with the collection's own entry first.
std::string reply_with(std::string_view responses, std::string_view prefix = "D") {
  const std::string p(prefix);
  return "<?xml version=\"1.0\"?><" + p + ":multistatus xmlns:" + p + "=\"DAV:\">" + "<" + p +
         ":response><" + p + ":href>/my%20chat/</" + p + ":href><" + p + ":propstat><" + p +
         ":prop><" + p + ":resourcetype><" + p + ":collection/></" + p + ":resourcetype></" + p +
         ":prop><" + p + ":status>HTTP/1.1 200 OK</" + p + ":status></" + p + ":propstat></" + p +
         ":response>" + std::string(responses) + "</" + p + ":multistatus>";
}

std::string file_response(std::string_view href, std::string_view length = "7") {
  return "<D:response><D:href>" + std::string(href) +
         "</D:href><D:propstat><D:prop><D:resourcetype/><D:getcontentlength>" +
         std::string(length) +
         "</D:getcontentlength></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>"
         "</D:response>";
}

constexpr std::string_view kExpected =
    "\xC3\xA9t\xC3\xA9 \xE2\x98\x83.w=7;2026-12/;header=7;a b#1%&<x>.w=7;";

TEST(DavPropfind, ApacheReply) {
  DavListing listing = parse_ok(kApacheReply);
  EXPECT_EQ(describe_entries(listing.entries), kExpected);
  EXPECT_TRUE(listing.saw_collection);
  EXPECT_TRUE(listing.unusable.empty());
}

TEST(DavPropfind, LighttpdReplyFolderSizesAreDropped) {
  DavListing listing = parse_ok(kLighttpdReply);
  EXPECT_EQ(describe_entries(listing.entries), kExpected);  // no 4096 on the folder
  EXPECT_TRUE(listing.saw_collection);
}

TEST(DavPropfind, FedByteByByteGivesTheSameListing) {
  for (std::string_view reply : {kApacheReply, kLighttpdReply}) {
    PropfindParser parser(kBase);
    for (char c : reply) ASSERT_TRUE(parser.feed(std::string_view(&c, 1)));
    auto listing = parser.finish();
    ASSERT_TRUE(listing.ok()) << listing.error().detail;
    EXPECT_EQ(describe_entries(listing->entries), kExpected);
  }
}

TEST(DavPropfind, AnyNamespacePrefixAndFullUrlHrefs) {
  // Nextcloud-style "d:" prefix, and hrefs as full URLs (relative ones resolve too).
  std::string reply =
      "<?xml version=\"1.0\"?><d:multistatus xmlns:d=\"DAV:\" xmlns:s=\"http://sabredav.org/ns\">"
      "<d:response><d:href>http://127.0.0.1:8080/my%20chat/</d:href><d:propstat><d:prop>"
      "<d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK"
      "</d:status></d:propstat></d:response>"
      "<d:response><d:href>http://127.0.0.1:8080/my%20chat/x.w</d:href><d:propstat><d:prop>"
      "<d:resourcetype/><d:getcontentlength>12</d:getcontentlength></d:prop>"
      "<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
      "<d:response><d:href>y.w</d:href><d:propstat><d:prop><d:getcontentlength> 3 "
      "</d:getcontentlength></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>"
      "</d:response></d:multistatus>";
  DavListing listing = parse_ok(reply);
  EXPECT_EQ(describe_entries(listing.entries), "x.w=12;y.w=3;");
  EXPECT_TRUE(listing.saw_collection);
}

TEST(DavPropfind, CollectionHrefWithoutTrailingSlashIsItself) {
  DavListing listing = parse_ok("<D:multistatus xmlns:D=\"DAV:\">" +
                                file_response("/my%20chat", "4096") + "</D:multistatus>");
  EXPECT_TRUE(listing.entries.empty());
  EXPECT_TRUE(listing.saw_collection);
}

TEST(DavPropfind, PropertiesCountOnlyFromSuccessfulPropstats) {
  // A size under a 404 propstat and a collection under a 403 one are not believed.
  std::string reply = reply_with(
      "<D:response><D:href>/my%20chat/f</D:href>"
      "<D:propstat><D:prop><D:getcontentlength>99</D:getcontentlength>"
      "<D:resourcetype><D:collection/></D:resourcetype></D:prop>"
      "<D:status>HTTP/1.1 403 Forbidden</D:status></D:propstat>"
      "<D:propstat><D:prop><D:resourcetype/></D:prop><D:status>HTTP/1.1 200 OK</D:status>"
      "</D:propstat></D:response>");
  DavListing listing = parse_ok(reply);
  ASSERT_EQ(listing.entries.size(), 1u);
  EXPECT_EQ(listing.entries[0].name, "f");
  EXPECT_FALSE(listing.entries[0].is_dir);
  EXPECT_FALSE(listing.entries[0].size.has_value());
}

TEST(DavPropfind, SizesThatAreNotNumbersAreAbsent) {
  for (std::string_view bad : {"", "-1", "12abc", "0x10", "18446744073709551616", "1 2"}) {
    DavListing listing = parse_ok(reply_with(file_response("/my%20chat/f", bad)));
    ASSERT_EQ(listing.entries.size(), 1u) << bad;
    EXPECT_FALSE(listing.entries[0].size.has_value()) << bad;
  }
  DavListing big = parse_ok(reply_with(file_response("/my%20chat/f", "18446744073709551615")));
  ASSERT_EQ(big.entries.size(), 1u);
  EXPECT_EQ(big.entries[0].size, 18446744073709551615ull);
}

TEST(DavPropfind, HrefsOutsideTheCollectionOrDeeperAreLeftOut) {
  std::string reply = reply_with(
      file_response("/other/x.w") + file_response("/my%20chat/sub/deeper.w") +
      file_response("/my%20chat/../escape.w") + file_response("/my%20chat/ctl%0a.w") +
      file_response("http://[bad") + file_response("/my%20chat/ok.w") +
      "<D:response><D:href>/my%20chat/gone.w</D:href>"
      "<D:status>HTTP/1.1 404 Not Found</D:status></D:response>"
      "<D:response><D:propstat><D:prop/><D:status>HTTP/1.1 200 OK</D:status></D:propstat>"
      "</D:response>");
  DavListing listing = parse_ok(reply);
  EXPECT_EQ(describe_entries(listing.entries), "ok.w=7;");
  EXPECT_EQ(listing.unusable.size(), 7u);
  EXPECT_EQ(listing.unusable[0], "/other/x.w");
}

TEST(DavPropfind, HugeHrefIsLeftOutWithBoundedMemory) {
  std::string href = "/my%20chat/" + std::string(100000, 'a');
  DavListing listing = parse_ok(reply_with(file_response(href) + file_response("/my%20chat/b")));
  EXPECT_EQ(describe_entries(listing.entries), "b=7;");
  ASSERT_EQ(listing.unusable.size(), 1u);
  EXPECT_EQ(listing.unusable[0], "(href too long)");
}

TEST(DavPropfind, ElementsOutsideTheDavNamespaceAreIgnored) {
  std::string reply = reply_with(
      "<D:response xmlns:x=\"urn:other\"><x:href>/my%20chat/wrong</x:href>"
      "<D:href>/my%20chat/right</D:href><D:propstat><D:prop><x:getcontentlength>5"
      "</x:getcontentlength><D:getcontentlength>6</D:getcontentlength></D:prop>"
      "<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>");
  EXPECT_EQ(describe_entries(parse_ok(reply).entries), "right=6;");
}

TEST(DavPropfind, EmptyFolderHasOnlyItself) {
  DavListing listing = parse_ok(reply_with(""));
  EXPECT_TRUE(listing.entries.empty());
  EXPECT_TRUE(listing.saw_collection);
}

Error parse_error(std::string_view xml) {
  auto listing = parse_propfind(kBase, xml);
  EXPECT_FALSE(listing.ok()) << xml;
  return listing.ok() ? Error{Errc::internal, "parsed"} : listing.error();
}

TEST(DavPropfind, RefusesWhatIsNotAMultistatusDocument) {
  EXPECT_EQ(parse_error("").code, Errc::bad_data);
  EXPECT_NE(parse_error("<html><body>Login</body></html>").detail.find("not a DAV:multistatus"),
            std::string::npos);
  EXPECT_NE(
      parse_error("<D:multistatus xmlns:D=\"DAV:\"><D:response>").detail.find("not well-formed"),
      std::string::npos);
  EXPECT_NE(parse_error("<D:multistatus xmlns:D=\"DAV:\"></D:multistatu>").detail.find("line 1"),
            std::string::npos);
  // Namespaces matter: "multistatus" outside DAV: is not one.
  EXPECT_EQ(parse_error("<multistatus/>").code, Errc::bad_data);
}

TEST(DavPropfind, RefusesDocumentTypeDeclarations) {
  // The classic entity expansion bomb never gets to expand.
  std::string bomb =
      "<?xml version=\"1.0\"?><!DOCTYPE m [<!ENTITY a \"aaaaaaaaaa\">"
      "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
      "<D:multistatus xmlns:D=\"DAV:\"><D:response><D:href>&b;</D:href>"
      "</D:response></D:multistatus>";
  EXPECT_EQ(parse_error(bomb).detail, "the PROPFIND reply has a document type declaration");
}

TEST(DavPropfind, RequestBodyAsksForTypeAndLength) {
  EXPECT_NE(kPropfindListBody.find("<D:resourcetype/>"), std::string_view::npos);
  EXPECT_NE(kPropfindListBody.find("<D:getcontentlength/>"), std::string_view::npos);
  // It is itself a well-formed DAV document (no multistatus, so parsing it is refused as one).
  EXPECT_NE(parse_error(kPropfindListBody).detail.find("not a DAV:multistatus"), std::string::npos);
}

}  // namespace
}  // namespace ftpchat
