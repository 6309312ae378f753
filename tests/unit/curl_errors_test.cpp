// map_curl_error: the one mapping from libcurl results and protocol replies to Errc, for
// FTP reply codes, SFTP's libcurl texts and HTTP statuses (S3, WebDAV).
#include "../../src/transport/curl_errors.hpp"

#include <gtest/gtest.h>

namespace ftpchat {
namespace {

Error http(long status, std::string_view reply = "") {
  CurlFailure f;
  f.code = CURLE_OK;
  f.response_code = status;
  f.server_reply = reply;
  f.flavour = CurlFlavour::http;
  return map_curl_error(f, "reading s3://b/r/log");
}

TEST(CurlErrors, FtpReplyCodes) {
  CurlFailure f;
  f.code = CURLE_QUOTE_ERROR;
  f.response_code = 550;
  f.server_reply = "550 No such file or directory";
  EXPECT_EQ(map_curl_error(f, "x").code, Errc::not_found);
  f.server_reply = "550 Permission denied";
  EXPECT_EQ(map_curl_error(f, "x").code, Errc::permission);
  EXPECT_EQ(map_curl_error(f, "making directory ftp://h/r/").detail,
            "making directory ftp://h/r/: 550 Permission denied");
  f.code = CURLE_LOGIN_DENIED;
  EXPECT_EQ(map_curl_error(f, "x").code, Errc::login_refused);
}

TEST(CurlErrors, SftpQuoteErrorsByText) {
  CurlFailure f;
  f.flavour = CurlFlavour::sftp;
  f.code = CURLE_QUOTE_ERROR;
  f.server_reply = "Permission denied";
  EXPECT_EQ(map_curl_error(f, "x").code, Errc::permission);
  f.server_reply = "Operation failed";
  EXPECT_EQ(map_curl_error(f, "x").code, Errc::protocol);
}

TEST(CurlErrors, HttpStatuses) {
  EXPECT_EQ(http(401).code, Errc::login_refused);
  EXPECT_EQ(http(403, "403 AccessDenied: Access Denied").code, Errc::permission);
  EXPECT_EQ(http(403, "403 SignatureDoesNotMatch").code, Errc::login_refused);
  EXPECT_EQ(http(403, "403 InvalidAccessKeyId").code, Errc::login_refused);
  EXPECT_EQ(http(404).code, Errc::not_found);
  EXPECT_EQ(http(412).code, Errc::exists);
  EXPECT_EQ(http(405).code, Errc::unsupported);
  EXPECT_EQ(http(416).code, Errc::bad_data);
  EXPECT_EQ(http(503, "503 SlowDown").code, Errc::unreachable);
  EXPECT_EQ(http(500).code, Errc::unreachable);
  EXPECT_EQ(http(409, "409 BucketNotEmpty").code, Errc::protocol);
  EXPECT_EQ(http(404, "404 NoSuchBucket: The specified bucket does not exist").detail,
            "reading s3://b/r/log: 404 NoSuchBucket: The specified bucket does not exist");
  EXPECT_EQ(http(418).detail, "reading s3://b/r/log: the server answered HTTP 418");
}

TEST(CurlErrors, HttpTransportFailuresAreLibcurls) {
  CurlFailure f;
  f.flavour = CurlFlavour::http;
  f.code = CURLE_COULDNT_CONNECT;
  f.error_text = "Failed to connect to 127.0.0.1 port 1: Connection refused";
  const Error e = map_curl_error(f, "listing s3://b/");
  EXPECT_EQ(e.code, Errc::unreachable);
  EXPECT_EQ(e.detail, "listing s3://b/: failed to connect to 127.0.0.1 port 1: Connection refused");
}

}  // namespace
}  // namespace ftpchat
