// CachingTransport: a second reader (a remount) downloads no history already cached, and a
// history changed on the server is detected and read again instead of served from the cache.
// Reads stream: cached and new bytes come in pieces, and a reader that stops or a server that
// fails midway leaves a cache that is still a prefix of the server's file.
#include "ftpchat/room/ciphertext_cache.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>

#include "memory_transport.hpp"
#include "piece_recorder.hpp"
#include "pool_server.hpp"

namespace ftpchat {
namespace {

const std::string kRoom = std::string(32, 'a');
const std::string kWriter = kRoom + "/" + std::string(32, 'b') + ".w";
constexpr std::uint64_t kVerify = CachingTransport::kVerifyBytes;

using testing::PieceRecorder;

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

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
  // The cached copy of kWriter, as `cache` keeps it.
  static std::string cached_bytes(const CachingTransport& cache) {
    return slurp(cache.root() / kRoom / (std::string(32, 'b') + ".w"));
  }
  // Rule 1: whatever happened, the cache holds a prefix of the server's file.
  void expect_prefix_of_server(const CachingTransport& cache) {
    const std::string held = cached_bytes(cache);
    const std::string& file = server_.files[kWriter];
    ASSERT_LE(held.size(), file.size());
    EXPECT_EQ(held, file.substr(0, held.size()));
  }
  void make_history(std::size_t bytes) {
    std::string& file = server_.files[kWriter];
    file.clear();
    for (int i = 0; file.size() < bytes; ++i) file += "\nrecord-" + std::to_string(i) + "\n";
  }

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

TEST_F(CiphertextCacheTest, WarmReadStreamsTheCacheInPiecesAndDownloadsOnlyOverlapAndNewBytes) {
  make_history(700 * 1024);  // more than two cache pieces (256 KiB)
  {
    CachingTransport first(server_, dir_);
    PieceRecorder cold;
    ASSERT_TRUE(first.read_to(kWriter, 0, cold.sink()));
    EXPECT_EQ(cold.bytes, server_.files[kWriter]);
    EXPECT_GT(cold.pieces, 100u);  // as the server sent them (4 KiB)
    EXPECT_LE(cold.largest, server_.read_piece);
  }
  const std::uint64_t history = server_.files[kWriter].size();
  server_.files[kWriter] += "\nnew-record\n";
  const std::uint64_t before = downloaded();

  CachingTransport second(server_, dir_);
  PieceRecorder warm;
  ASSERT_TRUE(second.read_to(kWriter, 0, warm.sink()));
  EXPECT_EQ(warm.bytes, server_.files[kWriter]);
  EXPECT_GE(warm.pieces, 4u);            // 3 from the cache, then the new bytes
  EXPECT_LE(warm.largest, 256u * 1024);  // never the whole file at once
  EXPECT_EQ(downloaded() - before, kVerify + 12);
  EXPECT_EQ(second.cache_stats().bytes_from_cache, history - kVerify);
  EXPECT_EQ(cached_bytes(second), server_.files[kWriter]);
}

TEST_F(CiphertextCacheTest, OverlapIsComparedAcrossPieceBorders) {
  server_.read_piece = 7;  // the 64 bytes compared arrive in 10 pieces
  { ASSERT_TRUE(CachingTransport(server_, dir_).read(kWriter, 0)); }
  std::string& file = server_.files[kWriter];
  const std::uint64_t cached = file.size();
  {
    CachingTransport same(server_, dir_);
    PieceRecorder got;
    ASSERT_TRUE(same.read_to(kWriter, 0, got.sink()));
    EXPECT_EQ(got.bytes, file);
    EXPECT_EQ(same.cache_stats().invalidations, 0u);
  }
  // A change in the first compared byte, then in the last one: both must be seen.
  for (const std::uint64_t changed : {cached - kVerify, cached - 1}) {
    file[changed] = file[changed] == 'Y' ? 'Z' : 'Y';
    CachingTransport again(server_, dir_);
    PieceRecorder got;
    ASSERT_TRUE(again.read_to(kWriter, 0, got.sink()));
    EXPECT_EQ(got.bytes, file) << changed;  // no stale cached byte was handed over first
    EXPECT_EQ(again.cache_stats().invalidations, 1u) << changed;
    EXPECT_EQ(cached_bytes(again), file) << changed;  // refilled from the server
  }
}

TEST_F(CiphertextCacheTest, ShrunkFileIsReadAgainWhereverItNowEnds) {
  const std::string original = server_.files[kWriter];
  const std::uint64_t cached = original.size();
  // Shorter than the verify start (the read there fails), then inside the compared bytes
  // (the read succeeds with too few of them).
  for (const std::uint64_t now : {std::uint64_t{100}, cached - kVerify / 2}) {
    server_.files[kWriter] = original;
    { ASSERT_TRUE(CachingTransport(server_, dir_).read(kWriter, 0)); }
    server_.files[kWriter] = original.substr(0, now);
    CachingTransport again(server_, dir_);
    PieceRecorder got;
    ASSERT_TRUE(again.read_to(kWriter, 0, got.sink())) << now;
    EXPECT_EQ(got.bytes, server_.files[kWriter]) << now;
    EXPECT_EQ(again.cache_stats().invalidations, 1u) << now;
    EXPECT_EQ(cached_bytes(again), server_.files[kWriter]) << now;
  }
}

TEST_F(CiphertextCacheTest, ReaderStoppingMidwayLeavesAPrefixAndTheNextReadIsRight) {
  make_history(100 * 1024);
  {  // cold: stopped at the third piece
    CachingTransport cold(server_, dir_);
    PieceRecorder stopping;
    stopping.stop_at_piece = 3;
    auto stopped = cold.read_to(kWriter, 0, stopping.sink());
    ASSERT_FALSE(stopped);
    EXPECT_EQ(stopped.error().code, Errc::cancelled);
    EXPECT_EQ(stopping.bytes, server_.files[kWriter].substr(0, 3 * server_.read_piece));
    expect_prefix_of_server(cold);
    EXPECT_EQ(cached_bytes(cold).size(), 3 * server_.read_piece);
  }
  {  // warm: the cached part continues from there, then the rest comes from the server
    CachingTransport warm(server_, dir_);
    ASSERT_EQ(warm.read(kWriter, 0).value(), server_.files[kWriter]);
    EXPECT_EQ(cached_bytes(warm), server_.files[kWriter]);
  }
  const std::string history = server_.files[kWriter];
  for (int i = 0; i < 2000; ++i) server_.files[kWriter] += "\nnew-" + std::to_string(i) + "\n";
  {  // stopped while the cached bytes are handed over: the cache is untouched
    CachingTransport warm(server_, dir_);
    PieceRecorder stopping;
    stopping.stop_at_piece = 1;
    EXPECT_EQ(warm.read_to(kWriter, 0, stopping.sink()).error().code, Errc::cancelled);
    EXPECT_EQ(stopping.bytes, history.substr(0, history.size() - kVerify));
    EXPECT_EQ(cached_bytes(warm), history);
  }
  {  // stopped among the new bytes: what was appended is still a prefix
    CachingTransport warm(server_, dir_);
    PieceRecorder stopping;
    stopping.stop_at_piece = 3;
    EXPECT_EQ(warm.read_to(kWriter, 0, stopping.sink()).error().code, Errc::cancelled);
    EXPECT_EQ(stopping.bytes, server_.files[kWriter].substr(0, stopping.bytes.size()));
    expect_prefix_of_server(warm);
    EXPECT_GT(cached_bytes(warm).size(), history.size());
    EXPECT_LT(cached_bytes(warm).size(), server_.files[kWriter].size());
  }
  CachingTransport last(server_, dir_);
  PieceRecorder all;
  ASSERT_TRUE(last.read_to(kWriter, 0, all.sink()));
  EXPECT_EQ(all.bytes, server_.files[kWriter]);
  EXPECT_EQ(last.cache_stats().invalidations, 0u);
  EXPECT_EQ(cached_bytes(last), server_.files[kWriter]);
}

TEST_F(CiphertextCacheTest, ServerFailingMidwayLeavesAPrefixAndNoByteTwice) {
  make_history(50 * 1024);
  CachingTransport cache(server_, dir_);
  server_.fail_next_read_after = 10000;  // cold read cut after 10,000 bytes
  PieceRecorder cut;
  EXPECT_EQ(cache.read_to(kWriter, 0, cut.sink()).error().code, Errc::unreachable);
  EXPECT_EQ(cut.bytes, server_.files[kWriter].substr(0, 10000));
  EXPECT_EQ(cached_bytes(cache), cut.bytes);

  // Warm read cut among the new bytes: the reader got the cached bytes and some new ones once,
  // and the read is not started over behind its back.
  server_.fail_next_read_after = kVerify + 5000;
  PieceRecorder warm_cut;
  EXPECT_EQ(cache.read_to(kWriter, 0, warm_cut.sink()).error().code, Errc::unreachable);
  EXPECT_EQ(warm_cut.bytes, server_.files[kWriter].substr(0, 15000));
  EXPECT_EQ(cached_bytes(cache), warm_cut.bytes);
  EXPECT_EQ(cache.cache_stats().invalidations, 0u);

  PieceRecorder all;
  ASSERT_TRUE(cache.read_to(kWriter, 0, all.sink()));
  EXPECT_EQ(all.bytes, server_.files[kWriter]);
  EXPECT_EQ(cached_bytes(cache), server_.files[kWriter]);
}

TEST_F(CiphertextCacheTest, ReadsAtAnyOffsetGiveTheServersBytes) {
  server_.read_piece = 100;
  const std::string& file = server_.files[kWriter];
  const std::uint64_t half = file.size() / 2;
  const std::vector<std::uint64_t> offsets = {
      0,        1,    kVerify - 1, kVerify,         kVerify + 1, half - kVerify - 1, half - kVerify,
      half - 1, half, half + 1,    file.size() - 1, file.size()};
  // The cache empty, holding half of the file, and holding all of it.
  for (const std::uint64_t held : {std::uint64_t{0}, half, std::uint64_t{file.size()}}) {
    for (const std::uint64_t offset : offsets) {
      std::filesystem::remove_all(dir_);
      CachingTransport cache(server_, dir_);
      if (held > 0) {
        server_.fail_next_read_after = held;  // a cut cold read leaves exactly `held` bytes
        EXPECT_FALSE(cache.read_to(kWriter, 0, [](std::string_view) { return true; }));
        ASSERT_EQ(cached_bytes(cache).size(), held);
      }
      PieceRecorder got;
      ASSERT_TRUE(cache.read_to(kWriter, offset, got.sink())) << held << " " << offset;
      EXPECT_EQ(got.bytes, file.substr(offset)) << held << " " << offset;
      expect_prefix_of_server(cache);
      EXPECT_EQ(cache.cache_stats().invalidations, 0u);
    }
  }
  CachingTransport cache(server_, dir_);
  PieceRecorder none;
  EXPECT_EQ(cache.read_to(kWriter, file.size() + 1, none.sink()).error().code, Errc::bad_data);
}

}  // namespace
}  // namespace ftpchat

namespace ftpchat {
namespace {

// Rule 4 and period folders: a file as long as the listing says is read with no request.
class CiphertextCacheListingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ciphertext_cache_listing_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    server_.dirs.insert(kRoom);
    server_.dirs.insert(kPeriod);
    for (int i = 0; i < 2000; ++i) server_.files[kFile] += "\nrecord-" + std::to_string(i) + "\n";
    CachingTransport first(server_, dir_);
    ASSERT_TRUE(first.read(kFile, 0));  // cold: fills the cache
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  const std::string kPeriod = kRoom + "/2026-11";
  const std::string kFile = kPeriod + "/" + std::string(32, 'c') + ".w";
  std::filesystem::path dir_;
  ftpchat::testing::MemoryTransport server_;
};

TEST_F(CiphertextCacheListingTest, WarmRemountOfAnUnchangedFileMakesNoRequest) {
  EXPECT_TRUE(std::filesystem::exists(CachingTransport(server_, dir_).root() / kFile));
  CachingTransport warm(server_, dir_);
  ASSERT_TRUE(warm.list(kPeriod));
  const auto before = server_.stats();
  auto all = warm.read(kFile, 0);
  ASSERT_TRUE(all);
  EXPECT_EQ(all.value(), server_.files[kFile]);
  EXPECT_EQ(server_.stats().requests, before.requests);
  EXPECT_EQ(server_.stats().bytes_downloaded, before.bytes_downloaded);
  EXPECT_EQ(warm.cache_stats().bytes_from_cache, server_.files[kFile].size());
  auto tail = warm.read(kFile, 1000);  // any offset
  ASSERT_TRUE(tail);
  EXPECT_EQ(tail.value(), server_.files[kFile].substr(1000));
  const auto perms = std::filesystem::status(warm.root() / kPeriod).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all, std::filesystem::perms::owner_all);
}

TEST_F(CiphertextCacheListingTest, AGrownOrShrunkFileIsVerifiedAgainstTheServer) {
  server_.files[kFile] += "\nnew\n";
  {
    CachingTransport warm(server_, dir_);
    ASSERT_TRUE(warm.list(kPeriod));
    const auto before = server_.stats().bytes_downloaded;
    ASSERT_EQ(warm.read(kFile, 0).value(), server_.files[kFile]);
    EXPECT_EQ(server_.stats().bytes_downloaded - before, CachingTransport::kVerifyBytes + 5);
  }
  // History cut to a different size: the listing no longer matches, the overlap check runs
  // and the cache is dropped.
  server_.files[kFile] = "\nrecord-0\n\nother\n";
  CachingTransport again(server_, dir_);
  ASSERT_TRUE(again.list(kPeriod));
  ASSERT_EQ(again.read(kFile, 0).value(), server_.files[kFile]);
  EXPECT_EQ(again.cache_stats().invalidations, 1u);
}

TEST_F(CiphertextCacheListingTest, WithoutAListingTheOverlapIsStillChecked) {
  CachingTransport warm(server_, dir_);
  const auto before = server_.stats().bytes_downloaded;
  ASSERT_EQ(warm.read(kFile, 0).value(), server_.files[kFile]);
  EXPECT_EQ(server_.stats().bytes_downloaded - before, CachingTransport::kVerifyBytes);
}

TEST_F(CiphertextCacheListingTest, OnlyWriterFilesInPeriodFoldersAreCached) {
  server_.dirs.insert(kRoom + "/notaperiod");
  server_.files[kRoom + "/notaperiod/" + std::string(32, 'c') + ".w"] = "\nx\n";
  CachingTransport cache(server_, dir_);
  ASSERT_TRUE(cache.read(kRoom + "/notaperiod/" + std::string(32, 'c') + ".w", 0));
  EXPECT_FALSE(std::filesystem::exists(cache.root() / kRoom / "notaperiod"));
}

// Our own appends reach the cache without a download when it holds exactly what the file
// held before them; any other size leaves it alone (it stays a prefix).
TEST_F(CiphertextCacheTest, OwnAppendsExtendACacheThatHeldTheFileBeforeThem) {
  CachingTransport cache(server_, dir_);
  ASSERT_TRUE(cache.read(kWriter, 0));
  const std::uint64_t before = server_.files[kWriter].size();
  ASSERT_TRUE(cache.append(kWriter, "\nmine-1\n"));
  cache.extend(kWriter, before, "\nmine-1\n");
  EXPECT_EQ(cached_bytes(cache), server_.files[kWriter]);
  ASSERT_TRUE(cache.append(kWriter, "\nmine-2\n"));
  cache.extend(kWriter, before, "\nmine-2\n");  // a wrong size: not taken
  expect_prefix_of_server(cache);
  EXPECT_EQ(cached_bytes(cache).size(), before + 8);
  // A file never read: the cache starts only from 0.
  const std::string fresh = kRoom + "/" + std::string(32, 'c') + ".w";
  cache.extend(fresh, 5, "later");
  EXPECT_FALSE(std::filesystem::exists(cache.root() / kRoom / (std::string(32, 'c') + ".w")));
  cache.extend(fresh, 0, "first");
  EXPECT_EQ(slurp(cache.root() / kRoom / (std::string(32, 'c') + ".w")), "first");
}

// Rooms are polled in parallel: a read of one writer file that waits for the server holds
// only that file's copy, so a read of another file goes on meanwhile.
TEST_F(CiphertextCacheTest, AReadWaitingForTheServerDoesNotHoldUpReadsOfOtherFiles) {
  testing::PoolServer pool_server;
  const std::string other = kRoom + "/" + std::string(32, 'c') + ".w";
  pool_server.data.dirs.insert(kRoom);
  pool_server.data.files[kWriter] = "\nslow\n";
  pool_server.data.files[other] = "\nquick\n";
  auto slow_link = pool_server.connect();
  auto quick_link = pool_server.connect();
  // One cache over two connections, as the engine's cache over its pool.
  struct TwoLinks final : Transport {
    Transport& slow;
    Transport& quick;
    TwoLinks(Transport& s, Transport& q) : slow(s), quick(q) {}
    Result<std::vector<DirEntry>> list(const std::string& dir) override { return quick.list(dir); }
    Result<void> read_to(const std::string& path, std::uint64_t offset,
                         const ByteSink& sink) override {
      return (path.ends_with("bb.w") ? slow : quick).read_to(path, offset, sink);
    }
    Result<void> append(const std::string& p, std::string_view d) override {
      return quick.append(p, d);
    }
    Result<void> create_file(const std::string& p, std::string_view d) override {
      return quick.create_file(p, d);
    }
    Result<void> make_dir(const std::string& p) override { return quick.make_dir(p); }
    std::string display_url() const override { return "test://two-links/"; }
    TransportStats stats() const override { return {}; }
  } links(*slow_link, *quick_link);
  CachingTransport cache(links, dir_);
  pool_server.close_gate(kWriter);
  auto slow = std::async(std::launch::async, [&] { return cache.read(kWriter, 0); });
  ASSERT_TRUE(pool_server.wait_at_gate(1));
  auto quick = std::async(std::launch::async, [&] { return cache.read(other, 0); });
  const bool quick_done = quick.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  pool_server.open_gate();
  ASSERT_TRUE(quick_done) << "the read of another file waited for the slow one";
  EXPECT_EQ(quick.get().value(), "\nquick\n");
  EXPECT_EQ(slow.get().value(), "\nslow\n");
}

}  // namespace
}  // namespace ftpchat
