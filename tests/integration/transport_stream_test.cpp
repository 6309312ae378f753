// Transport::read_to() against real servers: libcurl's pieces reach the sink as they arrive,
// a reader can stop midway and the connection serves the next request, and a server without
// REST still streams (the bytes already known are skipped on the way). Run:
//   ./build/tests/transport_integration_tests --gtest_filter='FtpStreaming*'
// The SFTP case needs an sshd named in the environment (transport_servers.py starts one):
//   FTPCHAT_TEST_SFTP_URL=sftp://root@127.0.0.1:PORT/abs/dir/ FTPCHAT_TEST_SSH_IDENTITY=key
// with the host key in $HOME/.ssh/known_hosts; the base directory must exist.
#include <gtest/gtest.h>
#include <sodium.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include "ftpchat/core/bytes.hpp"
#include "ftpchat/transport/curl_transport.hpp"
#include "ftpchat/transport/remote_url.hpp"
#include "pyftpd_process.hpp"
#include "stream_checks.hpp"

namespace ftpchat {
namespace {

using testing::PieceRecorder;
using testing::PyftpdProcess;
namespace fs = std::filesystem;

constexpr std::size_t kFileSize = 5 * 1024 * 1024 + 123;

std::unique_ptr<Transport> connect_to(const std::string& text, Logger& log,
                                      TransportOptions opts = {}) {
  auto url = parse_remote_url(text);
  EXPECT_TRUE(url.ok()) << text;
  if (!url.ok()) return nullptr;
  return make_curl_transport(*url, opts, log);
}

void write_local(const fs::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

class FtpStreaming : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<PyftpdProcess>();
    ASSERT_EQ(server_->start(), "");
    content_ = testing::stream_test_bytes(kFileSize);
  }
  static void TearDownTestSuite() { server_.reset(); }

  void SetUp() override {
    ASSERT_TRUE(server_);
    base_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directory(server_->data_dir() / base_);
    write_local(server_->data_dir() / base_ / "f", content_);
    transport_ = connect_to(server_->url(base_ + "/"), log_);
    ASSERT_TRUE(transport_);
  }

  static std::unique_ptr<PyftpdProcess> server_;
  static std::string content_;
  Logger log_{"transport-test", LogLevel::warning};
  std::string base_;
  std::unique_ptr<Transport> transport_;
};

std::unique_ptr<PyftpdProcess> FtpStreaming::server_;
std::string FtpStreaming::content_;

TEST_F(FtpStreaming, MultiMegabyteFileArrivesInPiecesIntact) {
  testing::expect_read_to_streams_in_pieces(*transport_, "f", content_);
  EXPECT_EQ(transport_->stats().connections, 1u);
}

TEST_F(FtpStreaming, StopMidwayThenTheNextRequestWorks) {
  testing::expect_stop_midway_then_next_request_works(*transport_, "", "f", content_);
  // libcurl closes the control connection after a stopped RETR: one new login per stop.
  EXPECT_LE(transport_->stats().connections, 4u);
  // Appends on the same connection after stopped reads land once, in order.
  ASSERT_TRUE(transport_->append("log", "one\n").ok());
  ASSERT_TRUE(transport_->append("log", "two\n").ok());
  EXPECT_EQ(transport_->read("log", 0).value(), "one\ntwo\n");
}

TEST(FtpWithoutRest, StreamsWholeFilesAndSkipsTheKnownBytes) {
  PyftpdProcess server({"REST"});
  ASSERT_EQ(server.start(), "");
  const std::string content = testing::stream_test_bytes(3 * 1024 * 1024 + 5);
  write_local(server.data_dir() / "f", content);
  Logger log("transport-test", LogLevel::warning);
  auto t = connect_to(server.url(""), log);

  const std::uint64_t offset = 1500000;  // deep inside the file: many pieces are skipped
  const std::uint64_t before = t->stats().bytes_downloaded;
  PieceRecorder tail;
  auto read = t->read_to("f", offset, tail.sink());
  ASSERT_TRUE(read.ok()) << read.error().detail;
  EXPECT_EQ(t->mode(), "append, full fetch (server lacks REST)");
  EXPECT_TRUE(tail.bytes == content.substr(offset));
  EXPECT_GT(tail.pieces, 1u);
  EXPECT_EQ(t->stats().bytes_downloaded - before, content.size());  // the whole file came

  for (const std::uint64_t at : {std::uint64_t{1}, std::uint64_t{16383}, std::uint64_t{16384},
                                 std::uint64_t{16385}, std::uint64_t{content.size() - 1}}) {
    PieceRecorder part;
    auto got = t->read_to("f", at, part.sink());
    ASSERT_TRUE(got.ok()) << at << ": " << got.error().detail;
    EXPECT_TRUE(part.bytes == content.substr(at)) << at;
  }
  testing::expect_read_to_streams_in_pieces(*t, "f", content);
  testing::expect_stop_midway_then_next_request_works(*t, "", "f", content);
}

class ExternalSftpServer : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv("FTPCHAT_TEST_SFTP_URL");
    if (url == nullptr) GTEST_SKIP() << "set FTPCHAT_TEST_SFTP_URL to run against an sshd";
    url_ = url;
    ASSERT_GE(sodium_init(), 0);
    if (const char* key = std::getenv("FTPCHAT_TEST_SSH_IDENTITY")) opts_.identity = key;
  }
  std::string url_;
  TransportOptions opts_;
  Logger log_{"transport-test", LogLevel::warning};
};

TEST_F(ExternalSftpServer, ReadToStreamsAndStopsMidway) {
  auto t = connect_to(url_, log_, opts_);
  const std::string dir = "stream-" + to_hex(as_chars(random_id()).substr(0, 4));
  auto made = t->make_dir(dir);
  ASSERT_TRUE(made.ok()) << made.error().detail;
  const std::string content = testing::stream_test_bytes(kFileSize);
  auto created = t->create_file(dir + "/f", content);
  ASSERT_TRUE(created.ok()) << created.error().detail;
  testing::expect_read_to_streams_in_pieces(*t, dir + "/f", content);
  testing::expect_stop_midway_then_next_request_works(*t, dir, dir + "/f", content);
  EXPECT_LE(t->stats().connections, 4u);  // libcurl drops the SSH session after a stop
  ASSERT_TRUE(t->append(dir + "/f", "tail").ok());
  EXPECT_EQ(t->read(dir + "/f", content.size()).value(), "tail");
}

}  // namespace
}  // namespace ftpchat
