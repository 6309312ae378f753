// Integration tests of the libcurl FTP transport against a real pyftpdlib server that each
// test process starts on 127.0.0.1 (see pyftpd_process.hpp). Run:
//   ./build/tests/transport_integration_tests
// Other servers and TLS: transport_external_test.cpp; STAT listings, REST without SIZE and
// active mode: transport_ftp_wire_test.cpp.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sodium.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "ftpchat/transport/curl_transport.hpp"
#include "ftpchat/transport/remote_url.hpp"
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


TEST_F(FtpTransportTest, ListShowsFilesDirectoriesAndSizes) {
  fs::create_directory(local("room"));
  write_local(local("room/log"), "0123456789");
  write_local(local("top file"), "abc");

  auto top = transport_->list("");
  ASSERT_TRUE(top.ok()) << top.error().detail;
  ASSERT_EQ(top->size(), 2u);
  const DirEntry* room = find_entry(*top, "room");
  ASSERT_NE(room, nullptr);
  EXPECT_TRUE(room->is_dir);
  const DirEntry* file = find_entry(*top, "top file");
  ASSERT_NE(file, nullptr);
  EXPECT_FALSE(file->is_dir);
  EXPECT_EQ(file->size, 3u);

  auto inner = transport_->list("room");
  ASSERT_TRUE(inner.ok()) << inner.error().detail;
  ASSERT_EQ(inner->size(), 1u);
  EXPECT_EQ((*inner)[0].name, "log");
  EXPECT_EQ((*inner)[0].size, 10u);
}

TEST_F(FtpTransportTest, ListOfEmptyAndMissingDirectories) {
  fs::create_directory(local("empty"));
  fs::create_directory(local("other"));
  write_local(local("other/f"), "xyz");
  auto empty = transport_->list("empty");
  ASSERT_TRUE(empty.ok()) << empty.error().detail;
  EXPECT_TRUE(empty->empty());
  // The empty listing was confirmed with a CWD; relative paths must still work after it.
  auto after = transport_->read("other/f", 0);
  ASSERT_TRUE(after.ok()) << after.error().detail;
  EXPECT_EQ(*after, "xyz");

  auto missing = transport_->list("nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::not_found) << missing.error().detail;
  EXPECT_NE(missing.error().detail.find("/" + base_ + "/nope/"), std::string::npos)
      << missing.error().detail;
}

TEST_F(FtpTransportTest, ReadAtOffsets) {
  write_local(local("log"), "0123456789");
  auto all = transport_->read("log", 0);
  ASSERT_TRUE(all.ok()) << all.error().detail;
  EXPECT_EQ(*all, "0123456789");
  auto tail = transport_->read("log", 3);
  ASSERT_TRUE(tail.ok()) << tail.error().detail;
  EXPECT_EQ(*tail, "3456789");
  auto at_end = transport_->read("log", 10);
  ASSERT_TRUE(at_end.ok()) << at_end.error().detail;
  EXPECT_EQ(*at_end, "");

  auto beyond = transport_->read("log", 11);
  ASSERT_FALSE(beyond.ok());
  EXPECT_EQ(beyond.error().code, Errc::bad_data);
  EXPECT_NE(beyond.error().detail.find("is shorter than the 11 bytes already read"),
            std::string::npos)
      << beyond.error().detail;

  auto missing = transport_->read("nope", 0);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::not_found) << missing.error().detail;
  auto missing_at = transport_->read("nope", 5);
  ASSERT_FALSE(missing_at.ok());
  EXPECT_EQ(missing_at.error().code, Errc::not_found) << missing_at.error().detail;
  EXPECT_EQ(transport_->stats().connections, 1u);
}

TEST_F(FtpTransportTest, AppendCreatesThenAppends) {
  ASSERT_TRUE(transport_->append("log", "first\n").ok());
  ASSERT_TRUE(transport_->append("log", "second\n").ok());
  EXPECT_EQ(read_file(local("log")), "first\nsecond\n");
  auto back = transport_->read("log", 6);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, "second\n");

  auto no_dir = transport_->append("missing/log", "x");
  ASSERT_FALSE(no_dir.ok());
  EXPECT_EQ(no_dir.error().code, Errc::not_found) << no_dir.error().detail;
}

TEST_F(FtpTransportTest, RewriteOptionNeverAppends) {
  TransportOptions opts;
  opts.rewrite = true;
  auto t = connect_to(server_->url(base_ + "/"), log_, opts);
  EXPECT_EQ(t->mode(), "rewrite (-o rewrite)");
  ASSERT_TRUE(t->append("log", "first\n").ok());
  struct stat before {};
  ASSERT_EQ(stat(local("log").c_str(), &before), 0);
  ASSERT_TRUE(t->append("log", "second\n").ok());
  struct stat after {};
  ASSERT_EQ(stat(local("log").c_str(), &after), 0);
  EXPECT_NE(before.st_ino, after.st_ino);  // a new file renamed over it, not an APPE
  EXPECT_EQ(read_file(local("log")), "first\nsecond\n");
  int files = 0;
  for (const auto& e : fs::directory_iterator(local(""))) {
    ++files;
    EXPECT_EQ(e.path().filename(), "log");  // no temporary file left
  }
  EXPECT_EQ(files, 1);
  EXPECT_EQ(t->mode(), "rewrite (-o rewrite)");
  // Not for SFTP, whose rename cannot replace a file.
  auto sftp = parse_remote_url("sftp://u@127.0.0.1:1/x/");
  auto refused = open_curl_transport(*sftp, opts, log_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().detail,
            "-o rewrite works with ftp://, ftps://, s3://, dav:// and davs:// only");
}

TEST_F(FtpTransportTest, HundredAppendsLandIntactAndInOrder) {
  std::string expected;
  for (int i = 0; i < 100; ++i) {
    std::string record = "record " + std::to_string(i) + " " + std::string(i % 7 * 10, 'x') + "\n";
    auto appended = transport_->append("log", record);
    ASSERT_TRUE(appended.ok()) << i << ": " << appended.error().detail;
    expected += record;
  }
  EXPECT_EQ(read_file(local("log")), expected);
  auto back = transport_->read("log", 0);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, expected);
}

TEST_F(FtpTransportTest, CreateFileIsExclusiveAndLeavesNoTemporaryFile) {
  fs::create_directory(local("room"));
  ASSERT_TRUE(transport_->create_file("room/header", "HEADER v1").ok());
  EXPECT_EQ(read_file(local("room/header")), "HEADER v1");
  int files = 0;
  for (const auto& e : fs::directory_iterator(local("room"))) {
    ++files;
    EXPECT_EQ(e.path().filename(), "header");
  }
  EXPECT_EQ(files, 1);

  auto again = transport_->create_file("room/header", "other");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Errc::exists) << again.error().detail;
  EXPECT_EQ(read_file(local("room/header")), "HEADER v1");

  auto no_dir = transport_->create_file("nope/header", "x");
  ASSERT_FALSE(no_dir.ok());
  EXPECT_EQ(no_dir.error().code, Errc::not_found) << no_dir.error().detail;
  ASSERT_TRUE(transport_->create_file("empty", "").ok());
  EXPECT_TRUE(fs::is_regular_file(local("empty")));
}

TEST_F(FtpTransportTest, MakeDirCreatesAndReportsExists) {
  ASSERT_TRUE(transport_->make_dir("room").ok());
  EXPECT_TRUE(fs::is_directory(local("room")));
  ASSERT_TRUE(transport_->make_dir("room/sub").ok());
  EXPECT_TRUE(fs::is_directory(local("room/sub")));

  auto again = transport_->make_dir("room");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Errc::exists) << again.error().detail;
  write_local(local("plain"), "x");
  auto over_file = transport_->make_dir("plain");
  ASSERT_FALSE(over_file.ok());
  EXPECT_EQ(over_file.error().code, Errc::exists) << over_file.error().detail;

  auto no_parent = transport_->make_dir("nope/sub");
  ASSERT_FALSE(no_parent.ok());
  EXPECT_EQ(no_parent.error().code, Errc::not_found) << no_parent.error().detail;
  // A refused MKD must not cost the connection (libcurl drops it after a failed quote).
  EXPECT_EQ(transport_->stats().connections, 1u);
}

TEST_F(FtpTransportTest, NamesWithSpacesUtf8AndUrlCharacters) {
  const std::string room = "r\xC3\xA9union d'\xC3\xA9t\xC3\xA9";
  const std::string file = room + "/log #1 100% ?.txt";
  ASSERT_TRUE(transport_->make_dir(room).ok());
  ASSERT_TRUE(transport_->create_file(file, "created\n").ok());
  ASSERT_TRUE(transport_->append(file, "appended\n").ok());
  EXPECT_EQ(read_file(local(file)), "created\nappended\n");

  auto entries = transport_->list(room);
  ASSERT_TRUE(entries.ok()) << entries.error().detail;
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].name, "log #1 100% ?.txt");
  auto top = transport_->list("");
  ASSERT_TRUE(top.ok());
  EXPECT_NE(find_entry(*top, room), nullptr);
  auto back = transport_->read(file, 8);
  ASSERT_TRUE(back.ok()) << back.error().detail;
  EXPECT_EQ(*back, "appended\n");
}

TEST_F(FtpTransportTest, OneLoginForManyOperations) {
  const int logins_before = server_->logins();
  fs::create_directory(local("a"));
  fs::create_directory(local("b"));
  for (int i = 0; i < 20; ++i) {
    const std::string dir = i % 2 == 0 ? "a" : "b";
    ASSERT_TRUE(transport_->append(dir + "/log", "line\n").ok());
    ASSERT_TRUE(transport_->list(dir).ok());
    ASSERT_TRUE(transport_->read(dir + "/log", 0).ok());
  }
  ASSERT_TRUE(transport_->make_dir("c").ok());
  ASSERT_TRUE(transport_->create_file("a/h", "h").ok());  // a listing and an upload

  const TransportStats stats = transport_->stats();
  EXPECT_EQ(stats.connections, 1u);
  EXPECT_EQ(stats.requests, 64u);  // 3 x 20, MKD, STAT and STOR, and the LIST checking STAT
  EXPECT_EQ(stats.bytes_uploaded, 20u * 5 + 1);
  EXPECT_GT(stats.bytes_downloaded, 0u);
  EXPECT_EQ(server_->logins() - logins_before, 1);
}

TEST_F(FtpTransportTest, ReconnectsAfterServerRestart) {
  write_local(local("f"), "v1");
  ASSERT_TRUE(transport_->read("f", 0).ok());
  server_->stop();
  auto down = transport_->read("f", 0);
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, Errc::unreachable) << down.error().detail;
  ASSERT_EQ(server_->start(), "");
  auto again = transport_->read("f", 0);
  ASSERT_TRUE(again.ok()) << again.error().detail;
  EXPECT_EQ(*again, "v1");
  EXPECT_EQ(transport_->stats().connections, 2u);
}

TEST_F(FtpTransportTest, WrongPasswordIsLoginRefused) {
  auto bad = connect_to(server_->url(base_ + "/", "not-the-password"), log_);
  auto listed = bad->list("");
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.error().code, Errc::login_refused) << listed.error().detail;
  EXPECT_EQ(listed.error().detail.find("not-the-password"), std::string::npos);
  EXPECT_NE(listed.error().detail.find("ftp://chat@127.0.0.1:"), std::string::npos)
      << listed.error().detail;
  EXPECT_EQ(bad->display_url().find("not-the-password"), std::string::npos);
}

TEST_F(FtpTransportTest, ClosedPortIsUnreachable) {
  const int port = testing::free_port();
  auto closed = connect_to("ftp://chat:secret@127.0.0.1:" + std::to_string(port) + "/", log_);
  auto listed = closed->list("");
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.error().code, Errc::unreachable) << listed.error().detail;
  EXPECT_EQ(listed.error().detail.find("secret"), std::string::npos) << listed.error().detail;
}

TEST_F(FtpTransportTest, SilentServerTimesOut) {
  // A socket that completes the TCP handshake (backlog) but never says hello.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  TransportOptions opts;
  opts.stall_timeout = std::chrono::milliseconds(1000);
  auto silent = connect_to(
      "ftp://chat:secret@127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/", log_, opts);
  const auto start = std::chrono::steady_clock::now();
  auto listed = silent->list("");
  const auto waited = std::chrono::steady_clock::now() - start;
  close(fd);
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.error().code, Errc::timeout) << listed.error().detail;
  EXPECT_LT(waited, std::chrono::seconds(10));
}

TEST_F(FtpTransportTest, MissingBaseDirectoryIsNotFound) {
  auto missing = connect_to(server_->url("no-such-base/"), log_);
  auto listed = missing->list("");
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.error().code, Errc::not_found) << listed.error().detail;
  auto read = missing->read("log", 0);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, Errc::not_found) << read.error().detail;
}

TEST_F(FtpTransportTest, RejectsPathsThatEscapeOrInjectCommands) {
  for (const char* bad : {"../x", "/etc/passwd", "a//b", "a/./b", "x\r\nDELE y", ""}) {
    auto r = transport_->read(bad, 0);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, Errc::invalid_argument) << bad;
  }
  auto mk = transport_->make_dir("a\r\nRMD b");
  ASSERT_FALSE(mk.ok());
  EXPECT_EQ(mk.error().code, Errc::invalid_argument);
  EXPECT_EQ(transport_->stats().requests, 0u);
}

TEST_F(FtpTransportTest, VerboseTraceGoesToDebugLogWithoutPassword) {
  const fs::path log_file = server_->data_dir().parent_path() / ("trace-" + base_ + ".log");
  Logger trace_log("transport-test", LogLevel::debug);
  trace_log.use_file(log_file.string());
  TransportOptions opts;
  opts.verbose = true;
  auto traced = connect_to(server_->url(base_ + "/"), trace_log, opts);
  ASSERT_TRUE(traced->list("").ok());
  const std::string trace = read_file(log_file);
  EXPECT_NE(trace.find("curl: > USER chat"), std::string::npos) << trace;
  EXPECT_NE(trace.find("curl: > PASS ****"), std::string::npos) << trace;
  EXPECT_NE(trace.find("curl: < 230"), std::string::npos) << trace;
  EXPECT_EQ(trace.find(PyftpdProcess::password), std::string::npos) << trace;
}

TEST(CurlTransportSchemes, SftpAndFileAreServed) {
  Logger log("transport-test", LogLevel::warning);
  auto sftp = connect_to("sftp://u:pw@127.0.0.1:1/x/", log);
  auto listed = sftp->list("");
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.error().code, Errc::unreachable) << listed.error().detail;
  EXPECT_EQ(sftp->display_url(), "sftp://u@127.0.0.1:1/x/");
  TransportOptions with_missing_key;
  with_missing_key.identity = "/nonexistent/id_ed25519";
  auto keyless = make_curl_transport(*parse_remote_url("sftp://u@127.0.0.1:1/x/"),
                                     with_missing_key, log);
  auto refused = keyless->list("");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::invalid_argument);
  EXPECT_NE(refused.error().detail.find("/nonexistent/id_ed25519"), std::string::npos);

  const fs::path dir = fs::temp_directory_path() / ("ftpchat-scheme-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "x") << "local bytes";
  auto file = connect_to("file://" + dir.string() + "/", log);
  auto read = file->read("x", 6);
  ASSERT_TRUE(read.ok()) << read.error().detail;
  EXPECT_EQ(*read, "bytes");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ftpchat
