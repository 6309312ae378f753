// Checks of Transport::read_to() against a real server, shared by the FTP (pyftpdlib, and any
// server named in the environment) and SFTP tests: a multi-MB file arrives in pieces with its
// bytes intact, a reader can stop midway, and the connection serves the next request after.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "ftpchat/transport/transport.hpp"
#include "piece_recorder.hpp"

namespace ftpchat::testing {

// `size` bytes that differ all along (xorshift), so a lost, doubled or reordered piece shows.
inline std::string stream_test_bytes(std::size_t size) {
  std::string out(size, '\0');
  std::uint32_t x = 2463534242u;
  for (char& c : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x & 0xff);
  }
  return out;
}

// `path` must hold `content` (a few MB) on the server.
inline void expect_read_to_streams_in_pieces(Transport& t, const std::string& path,
                                             const std::string& content) {
  const std::uint64_t before = t.stats().bytes_downloaded;
  PieceRecorder all;
  auto read = t.read_to(path, 0, all.sink());
  ASSERT_TRUE(read.ok()) << read.error().detail;
  EXPECT_EQ(all.bytes.size(), content.size());
  EXPECT_TRUE(all.bytes == content);  // not EXPECT_EQ: no MB-long message on failure
  EXPECT_GT(all.pieces, 1u);
  EXPECT_LE(all.largest, 1024u * 1024);  // libcurl's pieces are 16 KiB by default
  EXPECT_EQ(t.stats().bytes_downloaded - before, content.size());

  const std::uint64_t offset = content.size() / 3 + 7;
  PieceRecorder tail;
  auto from_offset = t.read_to(path, offset, tail.sink());
  ASSERT_TRUE(from_offset.ok()) << from_offset.error().detail;
  EXPECT_TRUE(tail.bytes == content.substr(offset));
  PieceRecorder none;
  ASSERT_TRUE(t.read_to(path, content.size(), none.sink()).ok());
  EXPECT_EQ(none.pieces, 0u);
  EXPECT_EQ(t.read_to(path, content.size() + 1, none.sink()).error().code, Errc::bad_data);
}

// A reader that says stop after two pieces gets cancelled, having seen a prefix of the file;
// then the same transport reads, lists and reads again as if nothing happened.
inline void expect_stop_midway_then_next_request_works(Transport& t, const std::string& dir,
                                                       const std::string& path,
                                                       const std::string& content) {
  for (int round = 0; round < 3; ++round) {
    const std::uint64_t before = t.stats().bytes_downloaded;
    PieceRecorder stopping;
    stopping.stop_at_piece = 2;
    auto stopped = t.read_to(path, round * 1000, stopping.sink());
    ASSERT_FALSE(stopped.ok()) << round;
    EXPECT_EQ(stopped.error().code, Errc::cancelled) << stopped.error().detail;
    EXPECT_EQ(stopping.pieces, 2u);
    EXPECT_LT(stopping.bytes.size(), content.size() / 2);
    EXPECT_TRUE(stopping.bytes == content.substr(round * 1000, stopping.bytes.size()));
    // The transfer really stopped (without REST the skipped bytes count as downloaded too).
    const std::uint64_t downloaded = t.stats().bytes_downloaded - before;
    EXPECT_GE(downloaded, stopping.bytes.size());
    EXPECT_LT(downloaded, content.size() / 2);

    auto listed = t.list(dir);
    ASSERT_TRUE(listed.ok()) << listed.error().detail;
    auto again = t.read(path, 0);
    ASSERT_TRUE(again.ok()) << again.error().detail;
    EXPECT_TRUE(*again == content) << round;
  }
}

}  // namespace ftpchat::testing
