// Unit tests for mount URL parsing, encoding and redaction (no network).
#include "ftpchat/transport/remote_url.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace ftpchat {
namespace {

RemoteUrl parse_ok(std::string_view text) {
  auto url = parse_remote_url(text);
  EXPECT_TRUE(url.ok()) << text << ": " << (url.ok() ? "" : url.error().detail);
  return url.ok() ? *url : RemoteUrl{};
}

Error parse_error(std::string_view text) {
  auto url = parse_remote_url(text);
  EXPECT_FALSE(url.ok()) << text << " parsed";
  return url.ok() ? Error{Errc::internal, "parsed"} : url.error();
}

TEST(RemoteUrl, ParsesFtpUrlWithCredentialsAndPort) {
  RemoteUrl url = parse_ok("ftp://chat:secret@127.0.0.1:2121/rooms/main");
  EXPECT_EQ(url.scheme, Scheme::ftp);
  EXPECT_EQ(url.user, "chat");
  EXPECT_EQ(url.password, "secret");
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_EQ(url.port, 2121);
  EXPECT_EQ(url.path, "/rooms/main/");
}

TEST(RemoteUrl, DefaultsPortPerScheme) {
  EXPECT_EQ(parse_ok("ftp://h/").port, 21);
  EXPECT_EQ(parse_ok("ftps://h/").port, 990);
  EXPECT_EQ(parse_ok("sftp://h/").port, 22);
  EXPECT_EQ(parse_ok("FTP://h/").scheme, Scheme::ftp);
  EXPECT_EQ(parse_ok("ftps://h/").scheme, Scheme::ftps);
  EXPECT_EQ(parse_ok("sftp://h/").scheme, Scheme::sftp);
}

TEST(RemoteUrl, NormalisesPathToDirectory) {
  EXPECT_EQ(parse_ok("ftp://h").path, "/");
  EXPECT_EQ(parse_ok("ftp://h/").path, "/");
  EXPECT_EQ(parse_ok("ftp://h/a/b").path, "/a/b/");
  EXPECT_EQ(parse_ok("ftp://h/a/b/").path, "/a/b/");
  EXPECT_EQ(parse_ok("ftp://h/a/./x/../b").path, "/a/b/");
  EXPECT_EQ(parse_ok("ftp://h/%2Fabs/dir").path, "//abs/dir/");
}

TEST(RemoteUrl, DecodesUserPasswordAndPath) {
  RemoteUrl url = parse_ok("ftp://us%40er:p%3Aa%40ss%2F@h/dir%20x/%C3%A9t%C3%A9/%23%25");
  EXPECT_EQ(url.user, "us@er");
  EXPECT_EQ(url.password, "p:a@ss/");
  EXPECT_EQ(url.path, "/dir x/\xC3\xA9t\xC3\xA9/#%/");
}

TEST(RemoteUrl, UserWithoutPasswordLeavesPasswordToNetrc) {
  RemoteUrl url = parse_ok("ftp://alice@h/chat/");
  EXPECT_EQ(url.user, "alice");
  EXPECT_EQ(url.password, "");
  EXPECT_EQ(url.url_for("x"), "ftp://alice@h/chat/x");
}

TEST(RemoteUrl, UrlForEncodesEachSegment) {
  RemoteUrl url = parse_ok("ftp://chat:se%40cret@127.0.0.1:2121/dir%20x/");
  EXPECT_EQ(url.url_for(""), "ftp://chat:se%40cret@127.0.0.1:2121/dir%20x/");
  EXPECT_EQ(url.url_for("room one/log#1 100%"),
            "ftp://chat:se%40cret@127.0.0.1:2121/dir%20x/room%20one/log%231%20100%25");
  EXPECT_EQ(url.url_for("\xC3\xA9t\xC3\xA9/a?b"),
            "ftp://chat:se%40cret@127.0.0.1:2121/dir%20x/%c3%a9t%c3%a9/a%3fb");
}

TEST(RemoteUrl, UrlForRoundTripsThroughParse) {
  RemoteUrl url = parse_ok("ftp://u%20x:p%23w@h:2121/a%20b/%C3%A9/");
  RemoteUrl again = parse_ok(url.url_for("c d/"));
  EXPECT_EQ(again.user, "u x");
  EXPECT_EQ(again.password, "p#w");
  EXPECT_EQ(again.port, 2121);
  EXPECT_EQ(again.path, "/a b/\xC3\xA9/c d/");
}

TEST(RemoteUrl, KeepsAbsoluteFtpPathAbsolute) {
  RemoteUrl url = parse_ok("ftp://h/%2Fsrv/chat/");
  EXPECT_EQ(parse_ok(url.url_for("room/")).path, "//srv/chat/room/");
}

TEST(RemoteUrl, OmitsDefaultPortWhenBuilding) {
  EXPECT_EQ(parse_ok("ftp://h:21/x/").url_for("y"), "ftp://h/x/y");
  EXPECT_EQ(parse_ok("sftp://h:2222/x/").url_for("y"), "sftp://h:2222/x/y");
}

TEST(RemoteUrl, RedactedNeverContainsPassword) {
  RemoteUrl url = parse_ok("ftp://chat:hunter2secret@127.0.0.1:2121/dir%20x/");
  EXPECT_EQ(url.redacted(), "ftp://chat@127.0.0.1:2121/dir%20x/");
  EXPECT_EQ(url.redacted_for("room/log"), "ftp://chat@127.0.0.1:2121/dir%20x/room/log");
  EXPECT_EQ(url.redacted().find("hunter2secret"), std::string::npos);
  EXPECT_NE(url.url_for("").find("hunter2secret"), std::string::npos);
}

TEST(RemoteUrl, IPv6HostKeepsBrackets) {
  RemoteUrl url = parse_ok("sftp://u@[::1]:2222/~/chat");
  EXPECT_EQ(url.host, "[::1]");
  EXPECT_EQ(url.url_for("r"), "sftp://u@[::1]:2222/~/chat/r");
}

TEST(RemoteUrl, FileUrlAndLocalPaths) {
  RemoteUrl file = parse_ok("file:///tmp/chat%20dir");
  EXPECT_EQ(file.scheme, Scheme::file);
  EXPECT_EQ(file.host, "");
  EXPECT_EQ(file.path, "/tmp/chat dir/");
  EXPECT_EQ(file.url_for("a b"), "file:///tmp/chat%20dir/a%20b");
  EXPECT_EQ(parse_ok("file://localhost/tmp/x").path, "/tmp/x/");

  RemoteUrl local = parse_ok("/tmp/some dir/../chat");
  EXPECT_EQ(local.scheme, Scheme::file);
  EXPECT_EQ(local.path, "/tmp/chat/");

  const std::string cwd = std::filesystem::current_path().string();
  RemoteUrl relative = parse_ok("./sub");
  EXPECT_EQ(relative.path, (std::filesystem::path(cwd) / "sub").string() + "/");
  EXPECT_EQ(parse_ok(".").path, cwd == "/" ? "/" : cwd + "/");
}

TEST(RemoteUrl, S3BucketAndPathWithoutCredentials) {
  RemoteUrl url = parse_ok("s3://chat-bucket/rooms");
  EXPECT_EQ(url.scheme, Scheme::s3);
  EXPECT_EQ(url.host, "chat-bucket");
  EXPECT_EQ(url.port, 0);
  EXPECT_EQ(url.path, "/rooms/");
  EXPECT_EQ(url.redacted(), "s3://chat-bucket/rooms/");
  EXPECT_EQ(url.redacted_for("r 1/log"), "s3://chat-bucket/rooms/r%201/log");
  EXPECT_EQ(parse_ok("S3://b").path, "/");
  // Credentials never ride in the URL (it shows in ps and shell history); the port belongs
  // to the endpoint.
  EXPECT_NE(parse_error("s3://AKID:secret@b/x/").detail.find("s3:// URLs take no credentials"),
            std::string::npos);
  EXPECT_EQ(parse_error("s3://b:9000/x/").detail,
            "s3:// URLs take no port; give the server with -o endpoint=URL");
  EXPECT_EQ(parse_error("s3:///x/").detail, "missing host in s3:// URL");
}

TEST(RemoteUrl, RejectsUnknownScheme) {
  Error err = parse_error("http://example.com/chat");
  EXPECT_EQ(err.code, Errc::invalid_argument);
  EXPECT_EQ(
      err.detail,
      "unsupported URL scheme 'http'; use ftp://, ftps://, sftp://, s3://, dav://, davs:// or file://");
}

TEST(RemoteUrl, DavSchemesSpeakHttpToLibcurlAndShowAsWritten) {
  RemoteUrl dav = parse_ok("dav://chat:se%40cret@127.0.0.1:8080/remote.php/dav/files/chat/");
  EXPECT_EQ(dav.scheme, Scheme::dav);
  EXPECT_EQ(dav.port, 8080);
  EXPECT_EQ(dav.password, "se@cret");
  EXPECT_EQ(dav.path, "/remote.php/dav/files/chat/");
  EXPECT_EQ(dav.url_for("room one/2026-12/"),
            "http://chat:se%40cret@127.0.0.1:8080/remote.php/dav/files/chat/room%20one/2026-12/");
  EXPECT_EQ(dav.redacted_for("r/log"), "dav://chat@127.0.0.1:8080/remote.php/dav/files/chat/r/log");

  RemoteUrl davs = parse_ok("DAVS://alice@h/chat");
  EXPECT_EQ(davs.scheme, Scheme::davs);
  EXPECT_EQ(davs.port, 443);
  EXPECT_EQ(davs.url_for("\xC3\xA9/x#1"), "https://alice@h/chat/%c3%a9/x%231");
  EXPECT_EQ(davs.redacted(), "davs://alice@h/chat/");
  // The default port of each is left out, another is kept.
  EXPECT_EQ(parse_ok("dav://h:80/c/").url_for(""), "http://h/c/");
  EXPECT_EQ(parse_ok("dav://h/c/").port, 80);
  EXPECT_EQ(parse_ok("davs://h:80/c/").url_for(""), "https://h:80/c/");
  // What libcurl is handed parses back to the same place.
  RemoteUrl again = parse_ok("dav" + dav.url_for("a b/").substr(4));
  EXPECT_EQ(again.path, "/remote.php/dav/files/chat/a b/");
  EXPECT_EQ(parse_error("dav:///x").detail, "missing host in dav:// URL");
  EXPECT_EQ(parse_error("davs://h/a%00b").detail, "URL path contains control characters");
}

TEST(RemoteUrl, RejectsMissingScheme) {
  Error err = parse_error("example.invalid/chat");
  EXPECT_EQ(err.code, Errc::invalid_argument);
  EXPECT_NE(err.detail.find("missing URL scheme"), std::string::npos) << err.detail;
  EXPECT_NE(parse_error("ftp:host/dir").detail.find("malformed URL"), std::string::npos);
  EXPECT_EQ(parse_error("").code, Errc::invalid_argument);
}

TEST(RemoteUrl, RejectsMissingHost) {
  EXPECT_EQ(parse_error("ftp:///chat").detail, "missing host in ftp:// URL");
  EXPECT_EQ(parse_error("sftp://").detail, "missing host in sftp:// URL");
  EXPECT_EQ(parse_error("ftp://u:p@/x").code, Errc::invalid_argument);
}

TEST(RemoteUrl, RejectsQueryAndFragment) {
  EXPECT_NE(parse_error("ftp://h/chat?x=1").detail.find("query or fragment"), std::string::npos);
  EXPECT_NE(parse_error("ftp://h/chat#top").detail.find("query or fragment"), std::string::npos);
  EXPECT_EQ(parse_error("ftp://h/chat#").code, Errc::invalid_argument);
}

TEST(RemoteUrl, RejectsBadPortsAndBadBytes) {
  EXPECT_EQ(parse_error("ftp://h:99999/").code, Errc::invalid_argument);
  EXPECT_EQ(parse_error("ftp://h:0/").detail, "URL port must be a number between 1 and 65535");
  EXPECT_EQ(parse_error("ftp://h/a%0d%0aDELE%20x").detail, "URL path contains control characters");
  EXPECT_NE(parse_error("ftp://h/dir x/").detail.find("%20"), std::string::npos);
  EXPECT_EQ(parse_error("file://otherhost/x").code, Errc::invalid_argument);
}

TEST(RemoteUrl, ErrorsNeverEchoThePassword) {
  for (const char* text :
       {"http://u:topsecret@h/", "ftp://u:topsecret@h/x?y", "ftp://u:topsecret@h:0/",
        "ftp://u:topsecret@h/a b", "u:topsecret@h/x"}) {
    Error err = parse_error(text);
    EXPECT_EQ(err.detail.find("topsecret"), std::string::npos) << err.detail;
  }
}

}  // namespace
}  // namespace ftpchat
