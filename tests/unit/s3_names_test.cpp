// S3 names on the wire: SigV4's encoding and canonical query (libcurl 7.88 signs both as
// written, so they must be canonical already), endpoints and their addressing style.
#include "../../src/transport/s3_names.hpp"

#include <gtest/gtest.h>

namespace ftpchat {
namespace {

TEST(S3Names, UriEncodeKeepsUnreservedAndUpperCasesTheRest) {
  EXPECT_EQ(aws_uri_encode("AZaz09-_.~", false), "AZaz09-_.~");
  EXPECT_EQ(aws_uri_encode("a b/c+d=e&f", false), "a%20b%2Fc%2Bd%3De%26f");
  EXPECT_EQ(aws_uri_encode("rooms/a b/log", true), "rooms/a%20b/log");
  EXPECT_EQ(aws_uri_encode("\xc3\xa9", true), "%C3%A9");  // é, upper-case hex
  EXPECT_EQ(aws_uri_encode("*", false), "%2A");
}

TEST(S3Names, CanonicalQuerySortsEncodesAndKeepsEmptyValues) {
  EXPECT_EQ(canonical_query({{"prefix", "rooms/a b/"}, {"list-type", "2"}, {"delimiter", "/"}}),
            "delimiter=%2F&list-type=2&prefix=rooms%2Fa%20b%2F");
  EXPECT_EQ(canonical_query({{"position", "5"}, {"append", ""}}), "append=&position=5");
  // Continuation tokens are opaque and may hold '/', '+', '='.
  EXPECT_EQ(canonical_query({{"list-type", "2"}, {"continuation-token", "a+b/c=="}}),
            "continuation-token=a%2Bb%2Fc%3D%3D&list-type=2");
  EXPECT_EQ(canonical_query({}), "");
  // Sorted by the encoded name, then value.
  EXPECT_EQ(canonical_query({{"b", "2"}, {"b", "1"}, {"a~", ""}, {"a", ""}}), "a=&a~=&b=1&b=2");
}

TEST(S3Names, IpAndSelfHostedEndpointsArePathStyle) {
  auto ip = parse_s3_endpoint("http://127.0.0.1:7480", "chat");
  ASSERT_TRUE(ip.ok()) << ip.error().detail;
  EXPECT_TRUE(ip->path_style);
  EXPECT_EQ(ip->port, 7480);
  EXPECT_EQ(s3_request_url(*ip, "chat", "rooms/a b/log", ""),
            "http://127.0.0.1:7480/chat/rooms/a%20b/log");
  EXPECT_EQ(s3_request_url(*ip, "chat", "", "list-type=2"),
            "http://127.0.0.1:7480/chat?list-type=2");
  EXPECT_TRUE(parse_s3_endpoint("http://[::1]:9000/", "chat")->path_style);
  EXPECT_TRUE(parse_s3_endpoint("http://localhost:9000", "chat")->path_style);
  auto gateway = parse_s3_endpoint("https://rgw.example.org/s3/", "chat");
  ASSERT_TRUE(gateway.ok());
  EXPECT_TRUE(gateway->path_style);
  EXPECT_EQ(gateway->path, "/s3");
  EXPECT_EQ(s3_request_url(*gateway, "chat", "k", ""), "https://rgw.example.org/s3/chat/k");
  EXPECT_EQ(s3_endpoint_text(*gateway), "https://rgw.example.org/s3");
}

TEST(S3Names, AwsIsVirtualHostUnlessTheBucketNameCannotBeAHostLabel) {
  auto aws = parse_s3_endpoint("https://s3.eu-west-1.amazonaws.com", "chat-bucket");
  ASSERT_TRUE(aws.ok());
  EXPECT_FALSE(aws->path_style);
  EXPECT_EQ(s3_request_url(*aws, "chat-bucket", "rooms/log", "x=1"),
            "https://chat-bucket.s3.eu-west-1.amazonaws.com/rooms/log?x=1");
  EXPECT_EQ(s3_request_url(*aws, "chat-bucket", "", ""),
            "https://chat-bucket.s3.eu-west-1.amazonaws.com/");
  EXPECT_TRUE(parse_s3_endpoint("https://s3.amazonaws.com", "my.dotted.bucket")->path_style);
  EXPECT_TRUE(parse_s3_endpoint("https://s3.amazonaws.com", "Upper")->path_style);
}

TEST(S3Names, BadEndpointsSayWhatToWrite) {
  EXPECT_EQ(parse_s3_endpoint("ftp://h/", "b").error().detail,
            "-o endpoint must be an http:// or https:// URL, not ftp://");
  EXPECT_NE(
      parse_s3_endpoint("not a url", "b").error().detail.find("such as http://127.0.0.1:7480"),
      std::string::npos);
  EXPECT_NE(parse_s3_endpoint("http://key:secret@h/", "b").error().detail.find("no credentials"),
            std::string::npos);
  EXPECT_EQ(parse_s3_endpoint("http://h/?x=1", "b").error().detail,
            "-o endpoint takes no query ('?')");
}

TEST(S3Names, AppendProbeVerdicts) {
  EXPECT_EQ(append_probe_verdict(200, true), AppendProbe::appends);
  // A plain PUT that ignored ?append: appending there would replace the file.
  EXPECT_EQ(append_probe_verdict(200, false), AppendProbe::no_appends);
  EXPECT_EQ(append_probe_verdict(400, false), AppendProbe::no_appends);
  EXPECT_EQ(append_probe_verdict(501, false), AppendProbe::no_appends);
  EXPECT_EQ(append_probe_verdict(403, false), AppendProbe::unknown);
  EXPECT_EQ(append_probe_verdict(503, false), AppendProbe::unknown);
  EXPECT_EQ(append_probe_verdict(0, false), AppendProbe::unknown);  // no reply
}

}  // namespace
}  // namespace ftpchat
