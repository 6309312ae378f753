// LogStore: the file-backed, sealed rendered log. Reads at arbitrary offsets of a large log
// must equal the text appended, and the backing file must never hold plaintext.
#include "ftpchat/room/log_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace ftpchat {
namespace {

std::string sample_line(std::mt19937_64& rng, std::size_t n) {
  std::string line = "2026-11-27 10:59:43 <alice> message " + std::to_string(n) + " ";
  line.append(rng() % 200, static_cast<char>('a' + n % 26));
  return line + "\n";
}

TEST(LogStore, ReadsAtArbitraryOffsetsOfALargeLogMatchTheAppendedText) {
  std::mt19937_64 rng(42);
  LogStore store;
  std::string reference;
  for (std::size_t i = 0; i < 40000; ++i) {  // ~5 MB: about 80 sealed 64 KiB blocks
    std::string line = sample_line(rng, i);
    store.append(line);
    reference += line;
  }
  ASSERT_EQ(store.size(), reference.size());
  EXPECT_TRUE(store.file_backed());
  EXPECT_EQ(store.sealed_blocks(), reference.size() / LogStore::kDefaultBlockBytes);
  for (int i = 0; i < 500; ++i) {
    const std::uint64_t off = rng() % (reference.size() + 10);
    const std::size_t len = rng() % 300000;
    const std::string expected = off < reference.size() ? reference.substr(off, len) : "";
    ASSERT_EQ(store.read(off, len), expected) << "offset " << off << " length " << len;
  }
  EXPECT_EQ(store.read(0, reference.size()), reference);
  EXPECT_EQ(store.read(reference.size(), 10), "");
}

TEST(LogStore, TinyBlocksAndInterleavedAppendsAndReads) {
  std::mt19937_64 rng(7);
  LogStore store({}, 7);
  std::string reference;
  for (int i = 0; i < 3000; ++i) {
    std::string piece(rng() % 20, static_cast<char>('A' + i % 26));
    store.append(piece);
    reference += piece;
    const std::uint64_t off = reference.empty() ? 0 : rng() % reference.size();
    const std::size_t len = rng() % 50;
    ASSERT_EQ(store.read(off, len), reference.substr(off, len));
  }
  EXPECT_EQ(store.read(0, reference.size()), reference);
}

// The sealed blocks in the temporary file: found through /proc/self/fd, since it is unlinked.
std::string backing_file_bytes(const std::filesystem::path& dir) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    const auto target = std::filesystem::read_symlink(entry.path(), ec);
    if (ec || target.string().rfind(dir.string(), 0) != 0) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream data;
    data << in.rdbuf();
    return data.str();
  }
  return {};
}

TEST(LogStore, BackingFileHoldsNoPlaintextAndIsUnlinked) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("log_store_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    LogStore store(dir, 4096);
    std::string reference;
    for (int i = 0; i < 1000; ++i) reference += "secret plaintext line number " + std::to_string(i) + "\n";
    store.append(reference);
    ASSERT_TRUE(store.file_backed());
    EXPECT_TRUE(std::filesystem::is_empty(dir));  // nothing named survives
    const std::string on_disk = backing_file_bytes(dir);
    ASSERT_EQ(on_disk.size(), store.sealed_blocks() * (4096 + 16));
    EXPECT_EQ(on_disk.find("secret plaintext"), std::string::npos);
    EXPECT_EQ(store.read(0, reference.size()), reference);
  }
  std::filesystem::remove_all(dir);
}

TEST(LogStore, FallsBackToMemoryWhenNoFileCanBeCreated) {
  LogStore store("/nonexistent/ftpchatfs-test", 16);
  std::string reference;
  for (int i = 0; i < 100; ++i) reference += "line " + std::to_string(i) + "\n";
  store.append(reference);
  EXPECT_FALSE(store.file_backed());
  EXPECT_EQ(store.read(3, 500), reference.substr(3, 500));
}

}  // namespace
}  // namespace ftpchat
