// The FTP transport's wire behaviour against a real pyftpdlib, counted from libcurl's trace:
// listings by STAT on the control connection (and the fallback to EPSV+LIST), reads from an
// offset with REST but no SIZE, one TYPE I, and active mode (-o active). Run:
//   ./build/tests/transport_integration_tests --gtest_filter='*Stat*:*Active*'
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "transport_ftp_fixture.hpp"

namespace ftpchat {
namespace {

using testing::connect_to;
using testing::find_entry;
using testing::FtpTransportTest;
using testing::PyftpdProcess;
using testing::read_file;
using testing::write_local;
namespace fs = std::filesystem;

// The FTP commands a transport sent, in order ("STAT", "LIST", "TYPE I", ...), from its
// libcurl trace (opts.verbose) in a debug log file.
std::vector<std::string> sent_commands(const fs::path& log_file) {
  std::vector<std::string> out;
  std::istringstream lines(read_file(log_file));
  for (std::string line; std::getline(lines, line);) {
    const std::size_t at = line.find("curl: > ");
    if (at == std::string::npos) continue;
    std::string command = line.substr(at + 8);
    if (command.rfind("TYPE ", 0) != 0) command = command.substr(0, command.find(' '));
    out.push_back(command);
  }
  return out;
}

long count_of(const std::vector<std::string>& sent, const std::string& command) {
  return std::count(sent.begin(), sent.end(), command);
}

// A transport whose libcurl trace goes to a file of its own, for counting commands.
struct TracedTransport {
  TracedTransport(const std::string& url, const fs::path& log_file, TransportOptions opts = {})
      : log_file(log_file) {
    log.use_file(log_file.string());
    opts.verbose = true;
    transport = connect_to(url, log, opts);
  }
  std::vector<std::string> sent() const { return sent_commands(log_file); }
  fs::path log_file;
  Logger log{"transport-test", LogLevel::debug};
  std::unique_ptr<Transport> transport;
};

// Rules 1-3 of ftp_transport.cpp: one LIST checks STAT, then STAT lists; transfers stay
// binary; reads from an offset send REST without SIZE.
TEST_F(FtpTransportTest, ListsByStatOnceListAgreesAndReadsWithoutSize) {
  fs::create_directories(local("room/sub"));
  write_local(local("room/writer a"), "0123456789");
  write_local(local("room/\xC3\xBCn\xC3\xAF \xC2\xA9"), "xy");
  TracedTransport traced(server_->url(base_ + "/"), local("../trace-" + base_ + ".log"));
  Transport& t = *traced.transport;
  for (int i = 0; i < 3; ++i) {
    auto entries = t.list("room");
    ASSERT_TRUE(entries.ok()) << i << ": " << entries.error().detail;
    ASSERT_EQ(entries->size(), 3u) << i;
    ASSERT_NE(find_entry(*entries, "writer a"), nullptr);
    EXPECT_EQ(find_entry(*entries, "writer a")->size, 10u);
    ASSERT_NE(find_entry(*entries, "\xC3\xBCn\xC3\xAF \xC2\xA9"), nullptr);
    ASSERT_NE(find_entry(*entries, "sub"), nullptr);
    EXPECT_TRUE(find_entry(*entries, "sub")->is_dir);
  }
  EXPECT_EQ(t.mode(), "append, listing by STAT");
  EXPECT_EQ(t.read("room/writer a", 4).value(), "456789");
  ASSERT_TRUE(t.append("room/writer a", "AB").ok());
  EXPECT_EQ(t.read("room/writer a", 10).value(), "AB");
  auto after = t.list("room");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(find_entry(*after, "writer a")->size, 12u);
  auto empty = t.list("room/sub");  // no "." from pyftpdlib: a CWD tells empty from missing
  ASSERT_TRUE(empty.ok()) << empty.error().detail;
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(t.list("room/nope").error().code, Errc::not_found);  // after the CWD: still STAT
  EXPECT_EQ(t.mode(), "append, listing by STAT");

  const auto sent = traced.sent();
  EXPECT_EQ(count_of(sent, "STAT"), 6);
  EXPECT_EQ(count_of(sent, "LIST"), 2);  // the check of STAT, and room/nope's 550
  EXPECT_EQ(count_of(sent, "SIZE"), 0);
  EXPECT_EQ(count_of(sent, "REST"), 2);
  EXPECT_EQ(count_of(sent, "TYPE I"), 1);  // once: no switches between listing and transfer
  EXPECT_EQ(count_of(sent, "TYPE A"), 2);  // the two LISTs
  EXPECT_EQ(t.stats().connections, 1u);
}

// A server without a STAT listing gets EPSV+LIST after one try; the mode says why.
void expect_list_fallback(const std::vector<std::string>& disabled,
                          const std::vector<std::string>& flags, const std::string& mode) {
  PyftpdProcess server(disabled, flags);
  ASSERT_EQ(server.start(), "");
  fs::create_directories(server.data_dir() / "room");
  write_local(server.data_dir() / "room" / "writer a", "0123456789");
  TracedTransport traced(server.url(""), server.data_dir().parent_path() / "trace.log");
  for (int i = 0; i < 3; ++i) {
    auto entries = traced.transport->list("room");
    ASSERT_TRUE(entries.ok()) << entries.error().detail;
    ASSERT_EQ(entries->size(), 1u);
    EXPECT_EQ((*entries)[0].name, "writer a");
    EXPECT_EQ((*entries)[0].size, 10u);
  }
  EXPECT_EQ(traced.transport->mode(), mode);
  const auto sent = traced.sent();
  EXPECT_EQ(count_of(sent, "STAT"), 1);
  EXPECT_EQ(count_of(sent, "LIST"), 3);
  EXPECT_EQ(traced.transport->stats().connections, 1u);
}

TEST(FtpStatFallback, ServerWithoutStat) {
  expect_list_fallback({"STAT"}, {}, "append, listing by LIST (server lacks STAT (500))");
}

TEST(FtpStatFallback, StatAnsweringTheServersStatus) {
  expect_list_fallback({}, {"--stat-status"},
                       "append, listing by LIST (STAT answers without a listing)");
}

TEST(FtpStatFallback, StatListingNothing) {
  expect_list_fallback({}, {"--stat-empty"}, "append, listing by LIST (STAT lists nothing)");
}

// Rule 4: -o active sends EPRT instead of EPSV, and says so in the mode.
TEST_F(FtpTransportTest, ActiveOptionOpensDataConnectionsFromTheServer) {
  // A range: a port that carried an upload waits in TIME_WAIT for a minute.
  const int port = testing::free_port();
  TransportOptions opts;
  opts.active_port =
      parse_active_mode("127.0.0.1:" + std::to_string(port) + "-" + std::to_string(port + 3))
          .value();
  write_local(local("f"), "0123456789");
  TracedTransport traced(server_->url(base_ + "/"), local("../trace-" + base_ + ".log"), opts);
  Transport& t = *traced.transport;
  EXPECT_EQ(t.mode(), "append, active (-o active)");
  auto appended = t.append("f", "AB");
  ASSERT_TRUE(appended.ok()) << appended.error().detail;
  auto all = t.read("f", 0);
  ASSERT_TRUE(all.ok()) << all.error().detail;
  EXPECT_EQ(*all, "0123456789AB");
  auto tail = t.read("f", 10);
  ASSERT_TRUE(tail.ok()) << tail.error().detail;
  EXPECT_EQ(*tail, "AB");
  auto entries = t.list("");
  ASSERT_TRUE(entries.ok()) << entries.error().detail;
  EXPECT_EQ(entries->size(), 1u);
  const auto sent = traced.sent();
  EXPECT_GE(count_of(sent, "EPRT"), 4);  // APPE, two RETRs, and the LIST checking STAT
  EXPECT_EQ(count_of(sent, "EPSV"), 0);
  EXPECT_EQ(count_of(sent, "PASV"), 0);
  EXPECT_EQ(t.mode(), "append, listing by STAT, active (-o active)");

  auto sftp = parse_remote_url("sftp://u@127.0.0.1:1/x/");
  auto refused = open_curl_transport(*sftp, opts, log_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().detail, "-o active works with ftp:// only");
  // libcurl 7.88's active FTPS data connections time out: refused before any connection.
  for (const char* tls_url : {"ftps://u@127.0.0.1:1/x/", "ftp://u@127.0.0.1:1/x/"}) {
    TransportOptions with_tls = opts;
    with_tls.tls = TlsMode::require;
    auto over_tls = open_curl_transport(*parse_remote_url(tls_url), with_tls, log_);
    ASSERT_FALSE(over_tls.ok()) << tls_url;
    EXPECT_EQ(over_tls.error().code, Errc::invalid_argument);
    EXPECT_NE(over_tls.error().detail.find("-o active does not work with TLS"), std::string::npos)
        << over_tls.error().detail;
  }
}

}  // namespace
}  // namespace ftpchat
