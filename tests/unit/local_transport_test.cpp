// LocalTransport (file:// and plain paths) on a scratch folder: the Transport contract with
// POSIX calls, incl. exclusive create, O_APPEND batches from several processes' handles, and
// names with spaces and UTF-8.
#include "ftpchat/transport/local_transport.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "piece_recorder.hpp"

namespace ftpchat {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class LocalTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ftpchat-local-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "base dir é");
    auto url = parse_remote_url((dir_ / "base dir é").string());
    ASSERT_TRUE(url.ok());
    url_ = *url;
    transport_ = make_local_transport(url_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path base() const { return dir_ / "base dir é"; }

  fs::path dir_;
  RemoteUrl url_;
  std::unique_ptr<Transport> transport_;
};

TEST_F(LocalTransportTest, ListShowsFilesDirectoriesAndSizes) {
  ASSERT_TRUE(transport_->make_dir("room ü").ok());
  ASSERT_TRUE(transport_->append("room ü/w 1", "12345").ok());
  auto root = transport_->list("");
  ASSERT_TRUE(root.ok());
  ASSERT_EQ(root->size(), 1u);
  EXPECT_EQ((*root)[0].name, "room ü");
  EXPECT_TRUE((*root)[0].is_dir);
  auto room = transport_->list("room ü/");
  ASSERT_TRUE(room.ok());
  ASSERT_EQ(room->size(), 1u);
  EXPECT_EQ((*room)[0].name, "w 1");
  EXPECT_FALSE((*room)[0].is_dir);
  EXPECT_EQ((*room)[0].size, std::optional<std::uint64_t>(5));
  auto missing = transport_->list("nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::not_found);
  EXPECT_EQ(transport_->display_url(), url_.redacted());
  EXPECT_EQ(transport_->mode(), "append");
}

TEST_F(LocalTransportTest, ReadAtOffsets) {
  ASSERT_TRUE(transport_->append("f", "hello world").ok());
  EXPECT_EQ(*transport_->read("f", 0), "hello world");
  EXPECT_EQ(*transport_->read("f", 6), "world");
  EXPECT_EQ(*transport_->read("f", 11), "");
  auto beyond = transport_->read("f", 12);
  ASSERT_FALSE(beyond.ok());
  EXPECT_EQ(beyond.error().code, Errc::bad_data);
  EXPECT_EQ(transport_->read("g", 0).error().code, Errc::not_found);
}

TEST_F(LocalTransportTest, ReadToStreamsBigFilesInBoundedPieces) {
  std::string content;
  for (int i = 0; content.size() < 1100 * 1024; ++i)
    content += "record " + std::to_string(i) + "\n";
  ASSERT_TRUE(transport_->append("big", content).ok());
  testing::PieceRecorder all;
  ASSERT_TRUE(transport_->read_to("big", 0, all.sink()).ok());
  EXPECT_EQ(all.bytes, content);
  EXPECT_EQ(all.pieces, 5u);  // 4 x 256 KiB + the rest
  EXPECT_EQ(all.largest, 256u * 1024);

  testing::PieceRecorder tail;
  ASSERT_TRUE(transport_->read_to("big", 1000, tail.sink()).ok());
  EXPECT_EQ(tail.bytes, content.substr(1000));

  testing::PieceRecorder stopping;
  stopping.stop_at_piece = 1;
  const std::uint64_t before = transport_->stats().bytes_downloaded;
  auto stopped = transport_->read_to("big", 0, stopping.sink());
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.error().code, Errc::cancelled);
  EXPECT_EQ(stopping.bytes, content.substr(0, 256 * 1024));
  EXPECT_EQ(transport_->stats().bytes_downloaded - before, 256u * 1024);  // no more was read
  EXPECT_EQ(transport_->read_to("big", content.size() + 1, all.sink()).error().code,
            Errc::bad_data);
}

TEST_F(LocalTransportTest, AppendsFromManyProcessesStayWhole) {
  // 8 processes x 200 records of 1000 bytes each through their own transports: with
  // O_APPEND and one write() per record no record is torn or lost.
  constexpr int kProcs = 8, kRecords = 200;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcs; ++p) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto t = make_local_transport(url_);
      const std::string record = "\n" + std::string(998, static_cast<char>('a' + p)) + "\n";
      for (int i = 0; i < kRecords; ++i)
        if (!t->append("shared", record).ok()) _exit(1);
      _exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  const std::string all = slurp(base() / "shared");
  ASSERT_EQ(all.size(), static_cast<std::size_t>(kProcs * kRecords * 1000));
  for (std::size_t at = 0; at < all.size(); at += 1000) {
    ASSERT_EQ(all[at], '\n');
    ASSERT_EQ(all[at + 999], '\n');
    const char c = all[at + 1];
    ASSERT_EQ(std::count(all.begin() + at + 1, all.begin() + at + 999, c), 998) << at;
  }
}

TEST_F(LocalTransportTest, CreateFileIsExclusiveAndLeavesNoTemporaryFile) {
  ASSERT_TRUE(transport_->make_dir("r").ok());
  ASSERT_TRUE(transport_->create_file("r/header", "first").ok());
  auto again = transport_->create_file("r/header", "second");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Errc::exists);
  EXPECT_EQ(slurp(base() / "r" / "header"), "first");
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(base() / "r")) names.push_back(e.path().filename());
  EXPECT_EQ(names, std::vector<std::string>{"header"});
}

TEST_F(LocalTransportTest, MakeDirReportsExistsAndMissingParent) {
  ASSERT_TRUE(transport_->make_dir("a").ok());
  EXPECT_EQ(transport_->make_dir("a").error().code, Errc::exists);
  EXPECT_EQ(transport_->make_dir("x/y").error().code, Errc::not_found);
}

TEST_F(LocalTransportTest, RejectsPathsThatEscape) {
  EXPECT_EQ(transport_->read("../x", 0).error().code, Errc::invalid_argument);
  EXPECT_EQ(transport_->append("/etc/passwd", "x").error().code, Errc::invalid_argument);
  EXPECT_EQ(transport_->make_dir("a/../../b").error().code, Errc::invalid_argument);
}

TEST_F(LocalTransportTest, MissingBaseIsNotFound) {
  auto url = parse_remote_url("file://" + (dir_ / "absent").string() + "/");
  ASSERT_TRUE(url.ok());
  auto t = make_local_transport(*url);
  auto listed = t->list("");
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.error().code, Errc::not_found);
  EXPECT_NE(listed.error().detail.find("absent"), std::string::npos);
}

}  // namespace
}  // namespace ftpchat
