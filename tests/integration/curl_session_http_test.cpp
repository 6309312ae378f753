// CurlSession over HTTP (what the S3 and WebDAV transports build on), against Python's
// http.server on 127.0.0.1: a 2xx body reaches the sink, an error reply's body never does
// (it is kept in CurlReply::body for the message), and response headers are kept. Run:
// ./build/tests/transport_integration_tests --gtest_filter='CurlSessionHttp*'
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include "../../src/transport/curl_session.hpp"
#include "pyftpd_process.hpp"

namespace ftpchat {
namespace {

using testing::free_port;
using testing::port_accepts;

class CurlSessionHttp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char pattern[] = "/tmp/ftpchat-http-XXXXXX";
    dir_ = mkdtemp(pattern);
    std::ofstream(dir_ + "/file", std::ios::binary) << "0123456789";
    port_ = free_port();
    const std::string port = std::to_string(port_);
    std::vector<std::string> args = {"/usr/bin/python3", "-m",          "http.server", "--bind",
                                     "127.0.0.1",        "--directory", dir_,          port};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    ASSERT_EQ(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    for (int i = 0; i < 200 && !port_accepts(port_); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    ASSERT_TRUE(port_accepts(port_)) << "python3 -m http.server did not listen within 5 s";
  }
  static void TearDownTestSuite() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string url(const std::string& name) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/" + name;
  }

  static inline std::string dir_;
  static inline int port_ = 0;
  static inline pid_t pid_ = -1;
  Logger log_{"http-test", LogLevel::warning};
  CurlProtocol protocol_{nullptr, false, true};
  CurlSession session_{TransportOptions{}, log_, protocol_, ""};
};

TEST_F(CurlSessionHttp, OkBodyReachesTheSinkWithHeaders) {
  std::string seen;
  const ByteSink sink = [&seen](std::string_view piece) {
    seen.append(piece);
    return true;
  };
  CurlRequest request;
  request.url = url("file");
  request.sink = &sink;
  CurlReply reply = session_.run(request);
  ASSERT_TRUE(reply.http_ok()) << reply.response_code << " " << reply.error_text;
  EXPECT_EQ(seen, "0123456789");
  EXPECT_EQ(reply.received, 10u);
  EXPECT_EQ(reply.header("content-length"), "10");
  EXPECT_EQ(reply.header("CONTENT-LENGTH"), "10");
  EXPECT_EQ(reply.header("x-missing"), "");
}

TEST_F(CurlSessionHttp, ErrorBodyNeverReachesTheSink) {
  bool sink_called = false;
  const ByteSink sink = [&sink_called](std::string_view) {
    sink_called = true;
    return true;
  };
  CurlRequest request;
  request.url = url("missing");
  request.sink = &sink;
  CurlReply reply = session_.run(request);
  EXPECT_TRUE(reply.ok());
  EXPECT_FALSE(reply.http_ok());
  EXPECT_EQ(reply.response_code, 404);
  EXPECT_FALSE(sink_called);
  EXPECT_EQ(reply.received, 0u);
  EXPECT_NE(reply.body.find("404"), std::string::npos) << reply.body;
  // The session goes on (http.server speaks HTTP/1.0: one connection per request).
  CurlRequest again;
  again.url = url("file");
  again.method = "GET";
  again.headers = {"X-Test: 1"};
  CurlReply next = session_.run(again);
  EXPECT_TRUE(next.http_ok());
  EXPECT_EQ(next.body, "0123456789");
  EXPECT_EQ(session_.stats().requests, 2u);
}

}  // namespace
}  // namespace ftpchat
