// ListObjectsV2 pages and S3 error documents, as Ceph RGW 16 writes them (captured from the
// test gateway) and in other gateways' dialects (namespace prefixes, whitespace).
#include "../../src/transport/s3_xml.hpp"

#include <gtest/gtest.h>

namespace ftpchat {
namespace {

// RGW 16.2's reply to GET /chat?delimiter=/&list-type=2&prefix=rooms/r/ (one line in reality).
const char* kRgwPage =
    R"(<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)"
    R"(<Name>chat</Name><Prefix>rooms/r/</Prefix><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter>)"
    R"(<IsTruncated>true</IsTruncated><NextContinuationToken>1ZQ/x+y=</NextContinuationToken>)"
    R"(<Contents><Key>rooms/r/</Key><LastModified>2026-12-01T15:18:27.617Z</LastModified>)"
    R"(<ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag><Size>0</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents>)"
    R"(<Contents><Key>rooms/r/header</Key><LastModified>2026-12-01T15:18:27.646Z</LastModified>)"
    R"(<ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag><Size>261</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents>)"
    R"(<Contents><Key>rooms/r/a &amp; b</Key><Size>18446744073709551615</Size></Contents>)"
    R"(<CommonPrefixes><Prefix>rooms/r/2026-12/</Prefix></CommonPrefixes><KeyCount>4</KeyCount></ListBucketResult>)";

TEST(S3Xml, RgwListingPage) {
  auto page = parse_list_objects_v2(kRgwPage);
  ASSERT_TRUE(page.ok()) << page.error().detail;
  ASSERT_EQ(page->objects.size(), 3u);
  EXPECT_EQ(page->objects[0].key, "rooms/r/");
  EXPECT_EQ(page->objects[0].size, 0u);
  EXPECT_EQ(page->objects[1].key, "rooms/r/header");
  EXPECT_EQ(page->objects[1].size, 261u);
  EXPECT_EQ(page->objects[2].key, "rooms/r/a & b");
  EXPECT_EQ(page->objects[2].size, 18446744073709551615u);
  ASSERT_EQ(page->prefixes.size(), 1u);
  EXPECT_EQ(page->prefixes[0], "rooms/r/2026-12/");
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_token, "1ZQ/x+y=");
}

TEST(S3Xml, PrefixedNamespaceAndBlanksAndAnEmptyResult) {
  auto page = parse_list_objects_v2(
      "<s3:ListBucketResult xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
      "  <s3:IsTruncated>false</s3:IsTruncated>\n"
      "  <s3:Contents>\n    <s3:Key>k</s3:Key>\n    <s3:Size>7</s3:Size>\n  </s3:Contents>\n"
      "</s3:ListBucketResult>\n");
  ASSERT_TRUE(page.ok()) << page.error().detail;
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "k");
  EXPECT_EQ(page->objects[0].size, 7u);
  EXPECT_FALSE(page->truncated);
  auto empty = parse_list_objects_v2("<ListBucketResult><KeyCount>0</KeyCount></ListBucketResult>");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->objects.empty());
  EXPECT_TRUE(empty->prefixes.empty());
}

TEST(S3Xml, MalformedListingsAreBadData) {
  EXPECT_EQ(parse_list_objects_v2("<ListBucketResult><Contents>").error().code, Errc::bad_data);
  EXPECT_EQ(parse_list_objects_v2("<Error><Code>NoSuchBucket</Code></Error>").error().detail,
            "the object listing has no ListBucketResult");
  EXPECT_EQ(parse_list_objects_v2("<ListBucketResult><Contents><Key>k</Key><Size>-1</Size>"
                                  "</Contents></ListBucketResult>")
                .error()
                .detail,
            "the object listing has a size that is no number");
  EXPECT_EQ(parse_list_objects_v2("").error().code, Errc::bad_data);
}

TEST(S3Xml, ErrorDocuments) {
  S3ErrorReply e = parse_s3_error(
      R"(<?xml version="1.0" encoding="UTF-8"?><Error><Code>PositionNotEqualToLength</Code>)"
      R"(<Message></Message><BucketName>chat</BucketName><RequestId>tx0</RequestId></Error>)");
  EXPECT_EQ(e.code, "PositionNotEqualToLength");
  EXPECT_EQ(e.message, "");
  e = parse_s3_error(
      "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>");
  EXPECT_EQ(e.code, "NoSuchKey");
  EXPECT_EQ(e.message, "The specified key does not exist.");
  EXPECT_EQ(parse_s3_error("").code, "");
  EXPECT_EQ(parse_s3_error("<html>502 Bad Gateway</html>").code, "");
  EXPECT_EQ(parse_s3_error("not xml at all").code, "");
}

}  // namespace
}  // namespace ftpchat
