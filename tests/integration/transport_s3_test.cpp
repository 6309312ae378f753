// The S3 transport against a real gateway (Ceph RGW; transport_servers.py starts one and runs
// these as part of transport.real_servers):
//   FTPCHAT_TEST_S3_URL=s3://chat/base/ FTPCHAT_TEST_S3_ENDPOINT=http://127.0.0.1:PORT
//   AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=...
//     ./build/tests/transport_integration_tests --gtest_filter='ExternalS3Server*'
// Each test works under a folder of its own below the base.
#include <gtest/gtest.h>
#include <sodium.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "ftpchat/core/bytes.hpp"
#include "ftpchat/transport/curl_transport.hpp"
#include "ftpchat/transport/remote_url.hpp"
#include "stream_checks.hpp"

namespace ftpchat {
namespace {

using testing::PieceRecorder;

bool has_entry(const std::vector<DirEntry>& entries, const std::string& name, bool is_dir) {
  return std::any_of(entries.begin(), entries.end(),
                     [&](const DirEntry& e) { return e.name == name && e.is_dir == is_dir; });
}

class ExternalS3Server : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv("FTPCHAT_TEST_S3_URL");
    const char* endpoint = std::getenv("FTPCHAT_TEST_S3_ENDPOINT");
    if (url == nullptr || endpoint == nullptr)
      GTEST_SKIP() << "set FTPCHAT_TEST_S3_URL and FTPCHAT_TEST_S3_ENDPOINT (and AWS keys)";
    ASSERT_GE(sodium_init(), 0);
    opts_.endpoint = endpoint;
    // A folder per test and run, so reruns against one gateway start empty.
    base_ = std::string(url) + ::testing::UnitTest::GetInstance()->current_test_info()->name() +
            "-" + to_hex(as_chars(random_id()).substr(0, 4)) + "/";
    transport_ = connect(opts_);
  }

  std::unique_ptr<Transport> connect(const TransportOptions& opts, Logger* log = nullptr) {
    auto url = parse_remote_url(base_);
    EXPECT_TRUE(url.ok()) << base_;
    auto t = open_curl_transport(*url, opts, log ? *log : log_);
    EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().detail);
    return t.ok() ? std::move(t.value()) : nullptr;
  }

  Logger log_{"s3-test", LogLevel::warning};
  TransportOptions opts_;
  std::string base_;
  std::unique_ptr<Transport> transport_;
};

TEST_F(ExternalS3Server, ListReadAppendCreateRoundTrip) {
  Transport& t = *transport_;
  auto missing = t.list("room");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::not_found) << missing.error().detail;

  ASSERT_TRUE(t.append("room/w", "first\n").ok());
  EXPECT_EQ(t.mode(), "append (RGW appendable objects)");
  ASSERT_TRUE(t.append("room/w", "second\n").ok());
  EXPECT_EQ(*t.read("room/w", 0), "first\nsecond\n");
  EXPECT_EQ(*t.read("room/w", 6), "second\n");
  EXPECT_EQ(*t.read("room/w", 13), "");  // at the end: 416, then a HEAD says "nothing new"
  auto beyond = t.read("room/w", 14);
  ASSERT_FALSE(beyond.ok());
  EXPECT_EQ(beyond.error().code, Errc::bad_data);
  EXPECT_NE(beyond.error().detail.find("is shorter than the 14 bytes already read"),
            std::string::npos)
      << beyond.error().detail;
  auto absent = t.read("room/nope", 0);
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.error().code, Errc::not_found) << absent.error().detail;
  EXPECT_NE(absent.error().detail.find("404 NoSuchKey"), std::string::npos)
      << absent.error().detail;

  ASSERT_TRUE(t.create_file("room/header", "HDR").ok());
  auto again = t.create_file("room/header", "OTHER");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Errc::exists);
  EXPECT_EQ(*t.read("room/header", 0), "HDR");

  auto listed = t.list("room");
  ASSERT_TRUE(listed.ok()) << listed.error().detail;
  ASSERT_EQ(listed->size(), 2u) << "the append probe left something behind";
  EXPECT_TRUE(has_entry(*listed, "w", false));
  EXPECT_TRUE(has_entry(*listed, "header", false));
  for (const DirEntry& e : *listed) EXPECT_EQ(e.size, e.name == "w" ? 13u : 3u) << e.name;
  EXPECT_EQ(t.stats().connections, 1u);  // one kept-alive connection for all of it
}

TEST_F(ExternalS3Server, FoldersAreImplicitButMakeDirIsExclusive) {
  Transport& t = *transport_;
  ASSERT_TRUE(t.make_dir("a").ok());
  auto twice = t.make_dir("a");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, Errc::exists) << twice.error().detail;
  auto empty = t.list("a");  // the marker makes an empty folder exist
  ASSERT_TRUE(empty.ok()) << empty.error().detail;
  EXPECT_TRUE(empty->empty());
  ASSERT_TRUE(t.make_dir("a/2026-12").ok());
  // A folder that holds objects but no marker (made by another tool) exists too.
  ASSERT_TRUE(t.create_file("b/file", "x").ok());
  EXPECT_EQ(t.make_dir("b").error().code, Errc::exists);
  auto top = t.list("");
  ASSERT_TRUE(top.ok()) << top.error().detail;
  EXPECT_EQ(top->size(), 2u);
  EXPECT_TRUE(has_entry(*top, "a", true));
  EXPECT_TRUE(has_entry(*top, "b", true));
  auto inner = t.list("a/");
  ASSERT_TRUE(inner.ok());
  ASSERT_EQ(inner->size(), 1u);
  EXPECT_TRUE(has_entry(*inner, "2026-12", true));
}

TEST_F(ExternalS3Server, NamesWithSpacesUtf8AndUrlCharacters) {
  Transport& t = *transport_;
  const std::string name = "d\xc3\xa9j\xc3\xa0 vu #1?&=+ %41";
  ASSERT_TRUE(t.append("r m/" + name, "x\n").ok());
  auto listed = t.list("r m");
  ASSERT_TRUE(listed.ok()) << listed.error().detail;
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].name, name);
  EXPECT_EQ(*t.read("r m/" + name, 1), "\n");
}

TEST_F(ExternalS3Server, ListingPagesThroughContinuationTokens) {
  // RGW pages at 1,000 keys; 1,005 writer-sized objects need two pages.
  Transport& t = *transport_;
  for (int i = 0; i < 1005; ++i) ASSERT_TRUE(t.create_file("many/f" + std::to_string(i), "z").ok());
  auto listed = t.list("many");
  ASSERT_TRUE(listed.ok()) << listed.error().detail;
  EXPECT_EQ(listed->size(), 1005u);
  EXPECT_TRUE(has_entry(*listed, "f1004", false));
}

TEST_F(ExternalS3Server, AStaleAppendNeverLandsTwice) {
  auto one = std::move(transport_);
  auto two = connect(opts_);
  ASSERT_TRUE(one->append("w", "X1\n").ok());  // `one` now expects position 3
  // Another transport appends the bytes `one` is about to send, as if `one`'s earlier
  // attempt had landed without its hearing so.
  ASSERT_TRUE(two->append("w", "Y2\n").ok());
  ASSERT_TRUE(one->append("w", "Y2\n").ok());  // 409: the tail is ours already
  EXPECT_EQ(*two->read("w", 0), "X1\nY2\n");
  // A stale position with other bytes: appended at the real end, once.
  ASSERT_TRUE(two->append("w", "Z3\n").ok());
  ASSERT_TRUE(one->append("w", "W4\n").ok());
  EXPECT_EQ(*two->read("w", 0), "X1\nY2\nZ3\nW4\n");
}

TEST_F(ExternalS3Server, RewriteModeIsGuardedByIfMatch) {
  TransportOptions rewrite = opts_;
  rewrite.rewrite = true;
  auto one = connect(rewrite);
  auto two = connect(rewrite);
  EXPECT_EQ(one->mode(), "rewrite (-o rewrite)");
  ASSERT_TRUE(one->append("w", "a\n").ok());  // If-None-Match: * (new object)
  ASSERT_TRUE(one->append("w", "b\n").ok());  // If-Match: the ETag of its own last PUT
  ASSERT_TRUE(two->append("w", "c\n").ok());  // reads it first, then If-Match on that
  auto refused = one->append("w", "d\n");     // its ETag is stale now
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().detail.find("it changed on the server since it was read"),
            std::string::npos)
      << refused.error().detail;
  ASSERT_TRUE(one->append("w", "d\n").ok());  // reads it again, then writes
  EXPECT_EQ(*two->read("w", 0), "a\nb\nc\nd\n");
  EXPECT_EQ(one->mode(), "rewrite (-o rewrite)");
}

TEST_F(ExternalS3Server, ReadToStreamsAndStopsMidway) {
  const std::string content = testing::stream_test_bytes(5 * 1024 * 1024 + 123);
  ASSERT_TRUE(transport_->create_file("s/f", content).ok());
  testing::expect_read_to_streams_in_pieces(*transport_, "s/f", content);
  testing::expect_stop_midway_then_next_request_works(*transport_, "s", "s/f", content);
}

TEST_F(ExternalS3Server, WrongKeysAndMissingBucketsSaySo) {
  const std::string secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret", 1);
  auto wrong = connect(opts_);
  setenv("AWS_SECRET_ACCESS_KEY", secret.c_str(), 1);
  auto refused = wrong->list("");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::login_refused) << refused.error().detail;
  EXPECT_NE(refused.error().detail.find("SignatureDoesNotMatch"), std::string::npos)
      << refused.error().detail;

  auto url = parse_remote_url("s3://no-such-bucket-here/x/");
  auto nowhere = open_curl_transport(*url, opts_, log_);
  ASSERT_TRUE(nowhere.ok());
  auto missing = (*nowhere)->list("");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::not_found) << missing.error().detail;
  EXPECT_NE(missing.error().detail.find("NoSuchBucket"), std::string::npos);
}

TEST_F(ExternalS3Server, TraceNeverShowsTheSecret) {
  char pattern[] = "/tmp/ftpchat-s3-trace-XXXXXX";
  const int fd = mkstemp(pattern);
  ASSERT_GE(fd, 0);
  close(fd);
  Logger traced("s3-trace", LogLevel::debug);
  traced.use_file(pattern);
  TransportOptions verbose = opts_;
  verbose.verbose = true;
  auto t = connect(verbose, &traced);
  ASSERT_TRUE(t->append("w", "traced\n").ok());
  ASSERT_TRUE(t->read("w", 0).ok());
  std::stringstream text;
  text << std::ifstream(pattern).rdbuf();
  std::filesystem::remove(pattern);
  EXPECT_NE(text.str().find("> PUT "), std::string::npos);  // the trace is there
  EXPECT_NE(text.str().find("Authorization: ****"), std::string::npos);
  EXPECT_EQ(text.str().find(std::getenv("AWS_SECRET_ACCESS_KEY")), std::string::npos);
  EXPECT_EQ(text.str().find("Signature="), std::string::npos);
}

}  // namespace
}  // namespace ftpchat
