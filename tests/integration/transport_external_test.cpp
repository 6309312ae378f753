// Transport tests beyond the basic operations: explicit-TLS negotiation against a plain
// server, ~/.netrc credentials, and a round trip against any server named in the
// environment, e.g. vsftpd or
// pure-ftpd with TLS started by tests/harness:
//   FTPCHAT_TEST_FTP_URL=ftp://user:pass@127.0.0.1:PORT/dir/ [FTPCHAT_TEST_CACERT=cert.pem]
//   ./build/tests/transport_integration_tests --gtest_filter='ExternalFtpServer.*'
// With FTPCHAT_TEST_CACERT the server must require TLS; the base directory must exist.
#include <gtest/gtest.h>
#include <sodium.h>

#include <cstdlib>
#include <fstream>
#include <memory>

#include "ftpchat/core/bytes.hpp"
#include "ftpchat/transport/curl_transport.hpp"
#include "ftpchat/transport/remote_url.hpp"
#include "pyftpd_process.hpp"
#include "stream_checks.hpp"

namespace ftpchat {
namespace {

using testing::PyftpdProcess;
using testing::read_file;
namespace fs = std::filesystem;

std::unique_ptr<Transport> connect_to(const std::string& text, Logger& log, TransportOptions opts) {
  auto url = parse_remote_url(text);
  EXPECT_TRUE(url.ok()) << text;
  if (!url.ok()) return nullptr;
  return make_curl_transport(*url, opts, log);
}

TEST(FtpTryTls, TryFallsBackToPlainAndRequireRefuses) {
  PyftpdProcess plain;  // pyftpdlib's plain handler answers AUTH with 500
  ASSERT_EQ(plain.start(), "");
  Logger log("transport-test", LogLevel::warning);
  TransportOptions opts;
  opts.tls = TlsMode::try_tls;
  auto relaxed = connect_to(plain.url(""), log, opts);
  auto appended = relaxed->append("f", "plain");
  ASSERT_TRUE(appended.ok()) << appended.error().detail;
  EXPECT_EQ(read_file(plain.data_dir() / "f"), "plain");

  opts.tls = TlsMode::require;
  auto strict = connect_to(plain.url(""), log, opts);
  auto refused = strict->append("g", "x");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::tls) << refused.error().detail;
  EXPECT_FALSE(fs::exists(plain.data_dir() / "g"));
}

TEST(FtpNetrc, SuppliesMissingCredentials) {
  PyftpdProcess server;
  ASSERT_EQ(server.start(), "");
  const fs::path home = server.data_dir().parent_path() / "home";
  fs::create_directory(home);
  std::ofstream(home / ".netrc") << "machine 127.0.0.1 login chat password secret\n";
  const char* old_home = std::getenv("HOME");
  const std::string saved = old_home != nullptr ? old_home : "";
  setenv("HOME", home.c_str(), 1);

  Logger log("transport-test", LogLevel::warning);
  const std::string port = std::to_string(server.port());
  auto anonymous_url = connect_to("ftp://127.0.0.1:" + port + "/", log, {})->append("a", "1");
  auto user_only_url = connect_to("ftp://chat@127.0.0.1:" + port + "/", log, {})->append("a", "2");
  auto wrong_user = connect_to("ftp://other@127.0.0.1:" + port + "/", log, {})->append("a", "3");
  if (old_home != nullptr)
    setenv("HOME", saved.c_str(), 1);
  else
    unsetenv("HOME");

  EXPECT_TRUE(anonymous_url.ok()) << anonymous_url.error().detail;
  EXPECT_TRUE(user_only_url.ok()) << user_only_url.error().detail;
  ASSERT_FALSE(wrong_user.ok());  // .netrc has no password for this user
  EXPECT_EQ(wrong_user.error().code, Errc::login_refused) << wrong_user.error().detail;
  EXPECT_EQ(read_file(server.data_dir() / "a"), "12");
}

class ExternalFtpServer : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv("FTPCHAT_TEST_FTP_URL");
    if (url == nullptr) GTEST_SKIP() << "set FTPCHAT_TEST_FTP_URL to run against another server";
    url_ = url;
    ASSERT_GE(sodium_init(), 0);
    if (const char* ca = std::getenv("FTPCHAT_TEST_CACERT")) {
      opts_.cacert = ca;
      opts_.tls = TlsMode::require;
    }
  }
  std::string url_;
  TransportOptions opts_;
  Logger log_{"transport-test", LogLevel::warning};
};

TEST_F(ExternalFtpServer, AppendReadRoundTrip) {
  auto t = connect_to(url_, log_, opts_);
  const std::string dir = "rt-" + to_hex(as_chars(random_id()).substr(0, 4));
  auto made = t->make_dir(dir);
  ASSERT_TRUE(made.ok()) << made.error().detail;
  auto empty = t->list(dir);
  ASSERT_TRUE(empty.ok()) << empty.error().detail;
  EXPECT_TRUE(empty->empty());
  auto missing = t->list(dir + "/nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::not_found) << missing.error().detail;
  std::string expected;
  for (int i = 0; i < 50; ++i) {
    const std::string line = "line " + std::to_string(i) + "\n";
    auto appended = t->append(dir + "/log", line);
    ASSERT_TRUE(appended.ok()) << i << ": " << appended.error().detail;
    expected += line;
  }
  auto all = t->read(dir + "/log", 0);
  ASSERT_TRUE(all.ok()) << all.error().detail;
  EXPECT_EQ(*all, expected);
  auto tail = t->read(dir + "/log", 7);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(*tail, expected.substr(7));
  EXPECT_TRUE(t->read(dir + "/log", expected.size())->empty());
  EXPECT_EQ(t->read(dir + "/log", expected.size() + 1).error().code, Errc::bad_data);
  auto created = t->create_file(dir + "/header", "H");
  ASSERT_TRUE(created.ok()) << created.error().detail;
  EXPECT_EQ(t->create_file(dir + "/header", "H").error().code, Errc::exists);
  EXPECT_EQ(t->make_dir(dir).error().code, Errc::exists);
  EXPECT_EQ(t->read(dir + "/header", 0).value(), "H");
  auto entries = t->list(dir);
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(entries->size(), 2u);
  // Under TLS a vsftpd may cost one reconnection (the move to TLS 1.2, ftp_transport.cpp).
  EXPECT_LE(t->stats().connections, opts_.tls == TlsMode::none ? 1u : 2u);
}

TEST_F(ExternalFtpServer, ReadToStreamsAndStopsMidway) {
  auto t = connect_to(url_, log_, opts_);
  const std::string dir = "stream-" + to_hex(as_chars(random_id()).substr(0, 4));
  auto made = t->make_dir(dir);
  ASSERT_TRUE(made.ok()) << made.error().detail;
  const std::string content = testing::stream_test_bytes(4 * 1024 * 1024 + 77);
  auto created = t->create_file(dir + "/f", content);
  ASSERT_TRUE(created.ok()) << created.error().detail;
  testing::expect_read_to_streams_in_pieces(*t, dir + "/f", content);
  testing::expect_stop_midway_then_next_request_works(*t, dir, dir + "/f", content);
}

const DirEntry* find_named(const std::vector<DirEntry>& entries, const std::string& name) {
  for (const auto& e : entries)
    if (e.name == name) return &e;
  return nullptr;
}

// Listings by STAT on every server kind (ftp_transport.cpp rule 1): names with spaces and
// UTF-8, a leading '-', sub-folders, an empty folder, a missing one.
TEST_F(ExternalFtpServer, ListsByStatWithOddNamesAndEmptyFolders) {
  auto t = connect_to(url_, log_, opts_);
  const std::string dir = "stat-" + to_hex(as_chars(random_id()).substr(0, 4));
  ASSERT_TRUE(t->make_dir(dir).ok());
  ASSERT_TRUE(t->make_dir(dir + "/sub").ok());
  ASSERT_TRUE(t->create_file(dir + "/name with  spaces", "abc").ok());
  ASSERT_TRUE(t->create_file(dir + "/\xC3\xBCn\xC3\xAF \xC2\xA9", "12").ok());
  ASSERT_TRUE(t->append(dir + "/-dash", "x").ok());
  for (int round = 0; round < 2; ++round) {
    auto entries = t->list(dir);
    ASSERT_TRUE(entries.ok()) << entries.error().detail;
    EXPECT_EQ(entries->size(), 4u) << round;
    const DirEntry* spaced = find_named(*entries, "name with  spaces");
    ASSERT_NE(spaced, nullptr) << round;
    EXPECT_EQ(spaced->size, 3u);
    const DirEntry* utf8 = find_named(*entries, "\xC3\xBCn\xC3\xAF \xC2\xA9");
    ASSERT_NE(utf8, nullptr) << round;
    EXPECT_EQ(utf8->size, 2u);
    ASSERT_NE(find_named(*entries, "-dash"), nullptr) << round;
    ASSERT_NE(find_named(*entries, "sub"), nullptr) << round;
    EXPECT_TRUE(find_named(*entries, "sub")->is_dir);
  }
  auto empty = t->list(dir + "/sub");
  ASSERT_TRUE(empty.ok()) << empty.error().detail;
  EXPECT_TRUE(empty->empty());
  auto missing = t->list(dir + "/nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::not_found) << missing.error().detail;
  EXPECT_NE(t->mode().find("listing by STAT"), std::string::npos) << t->mode();
  EXPECT_LE(t->stats().connections, opts_.tls == TlsMode::none ? 1u : 2u);
}

// A server that refuses passive data connections (vsftpd pasv_enable=NO): the transport
// learns active mode at the first transfer; -o active uses it from the start. Selected by
// transport_servers.py for that server only.
TEST_F(ExternalFtpServer, ActiveModeWherePassiveIsRefused) {
  for (const bool chosen : {false, true}) {
    TransportOptions opts = opts_;
    if (chosen) opts.active_port = parse_active_mode("127.0.0.1").value();
    auto t = connect_to(url_, log_, opts);
    const std::string dir = "active-" + to_hex(as_chars(random_id()).substr(0, 4));
    ASSERT_TRUE(t->make_dir(dir).ok());
    auto appended = t->append(dir + "/log", "0123456789");
    ASSERT_TRUE(appended.ok()) << chosen << ": " << appended.error().detail;
    ASSERT_TRUE(t->append(dir + "/log", "AB").ok());
    EXPECT_EQ(t->read(dir + "/log", 0).value(), "0123456789AB");
    EXPECT_EQ(t->read(dir + "/log", 10).value(), "AB");
    auto entries = t->list(dir);
    ASSERT_TRUE(entries.ok()) << entries.error().detail;
    EXPECT_EQ(entries->size(), 1u);
    EXPECT_NE(t->mode().find(chosen ? "active (-o active)" : "active (server refused passive)"),
              std::string::npos)
        << t->mode();
    EXPECT_EQ(t->stats().connections, 1u);
  }
}

TEST_F(ExternalFtpServer, CertificateTrustDecides) {
  if (opts_.tls == TlsMode::none) GTEST_SKIP() << "set FTPCHAT_TEST_CACERT for a TLS server";
  TransportOptions untrusted = opts_;
  untrusted.cacert.clear();  // system CAs only: a test certificate is unknown to them
  auto refused = connect_to(url_, log_, untrusted)->list("");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::tls) << refused.error().detail;

  untrusted.insecure = true;
  auto listed = connect_to(url_, log_, untrusted)->list("");
  EXPECT_TRUE(listed.ok()) << listed.error().detail;
}

}  // namespace
}  // namespace ftpchat
