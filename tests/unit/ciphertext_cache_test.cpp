// CachingTransport: a second reader (a remount) downloads no history already cached, and a
// history changed on the server is detected and read again instead of served from the cache.
#include "ftpchat/room/ciphertext_cache.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "memory_transport.hpp"

namespace ftpchat {
namespace {

const std::string kRoom = std::string(32, 'a');
const std::string kWriter = kRoom + "/" + std::string(32, 'b') + ".w";

class CiphertextCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ciphertext_cache_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    server_.dirs.insert(kRoom);
    for (int i = 0; i < 1000; ++i) server_.files[kWriter] += "\nrecord-" + std::to_string(i) + "\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::uint64_t downloaded() const { return server_.stats().bytes_downloaded; }

  std::filesystem::path dir_;
  ftpchat::testing::MemoryTransport server_;
};

TEST_F(CiphertextCacheTest, RemountDownloadsOnlyTheVerifyOverlapAndTheNewBytes) {
  {
    CachingTransport first(server_, dir_);
    auto all = first.read(kWriter, 0);
    ASSERT_TRUE(all);
    EXPECT_EQ(all.value(), server_.files[kWriter]);
  }
  const std::uint64_t history = server_.files[kWriter].size();
  server_.files[kWriter] += "\nnew-record\n";
  const std::uint64_t before = downloaded();

  CachingTransport second(server_, dir_);  // the remount
  auto all = second.read(kWriter, 0);
  ASSERT_TRUE(all);
  EXPECT_EQ(all.value(), server_.files[kWriter]);
  EXPECT_EQ(downloaded() - before, CachingTransport::kVerifyBytes + 12);  // overlap + new bytes
  EXPECT_EQ(second.cache_stats().bytes_from_cache, history - CachingTransport::kVerifyBytes);
  EXPECT_EQ(second.cache_stats().invalidations, 0u);

  // Incremental reads past the cache keep extending it.
  server_.files[kWriter] += "\nmore\n";
  auto tail = second.read(kWriter, history);
  ASSERT_TRUE(tail);
  EXPECT_EQ(tail.value(), "\nnew-record\n\nmore\n");
  CachingTransport third(server_, dir_);
  const std::uint64_t before_third = downloaded();
  ASSERT_EQ(third.read(kWriter, 0).value(), server_.files[kWriter]);
  EXPECT_EQ(downloaded() - before_third, CachingTransport::kVerifyBytes);
}

TEST_F(CiphertextCacheTest, RewrittenHistoryInvalidatesTheCache) {
  { ASSERT_TRUE(CachingTransport(server_, dir_).read(kWriter, 0)); }
  // Same length, different bytes near the end of what was cached.
  std::string& file = server_.files[kWriter];
  file[file.size() - 5] = 'X';
  CachingTransport again(server_, dir_);
  auto all = again.read(kWriter, 0);
  ASSERT_TRUE(all);
  EXPECT_EQ(all.value(), file);
  EXPECT_EQ(again.cache_stats().invalidations, 1u);
  // The cache now holds the new history and is reused from there.
  CachingTransport third(server_, dir_);
  ASSERT_EQ(third.read(kWriter, 0).value(), file);
  EXPECT_EQ(third.cache_stats().invalidations, 0u);
}

TEST_F(CiphertextCacheTest, ShorterFileOnTheServerInvalidatesTheCache) {
  { ASSERT_TRUE(CachingTransport(server_, dir_).read(kWriter, 0)); }
  server_.files[kWriter] = "\nrecord-0\n";  // history cut: REST past the end fails
  CachingTransport again(server_, dir_);
  auto all = again.read(kWriter, 0);
  ASSERT_TRUE(all);
  EXPECT_EQ(all.value(), "\nrecord-0\n");
  EXPECT_EQ(again.cache_stats().invalidations, 1u);
}

TEST_F(CiphertextCacheTest, ReadsAtAnOffsetInsideTheCacheAndOtherPathsPassThrough) {
  CachingTransport cache(server_, dir_);
  ASSERT_TRUE(cache.read(kWriter, 0));
  const std::string& file = server_.files[kWriter];
  auto part = cache.read(kWriter, 100);
  ASSERT_TRUE(part);
  EXPECT_EQ(part.value(), file.substr(100));
  server_.files[kRoom + "/header"] = "header bytes";
  EXPECT_EQ(cache.read(kRoom + "/header", 0).value(), "header bytes");
  EXPECT_FALSE(std::filesystem::exists(cache.root() / kRoom / "header"));
  EXPECT_EQ(std::filesystem::file_size(cache.root() / kRoom / (std::string(32, 'b') + ".w")),
            file.size());
}

TEST_F(CiphertextCacheTest, ServerErrorsKeepTheCache) {
  { ASSERT_TRUE(CachingTransport(server_, dir_).read(kWriter, 0)); }
  const std::string saved = server_.files[kWriter];
  server_.files.erase(kWriter);  // read fails: not_found, as an unreachable server would
  CachingTransport again(server_, dir_);
  EXPECT_FALSE(again.read(kWriter, 0));
  server_.files[kWriter] = saved;
  const std::uint64_t before = downloaded();
  ASSERT_EQ(again.read(kWriter, 0).value(), saved);
  EXPECT_EQ(downloaded() - before, CachingTransport::kVerifyBytes);
}

}  // namespace
}  // namespace ftpchat
