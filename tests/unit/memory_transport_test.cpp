// MemoryTransport, the engine tests' server: read_to() hands files over in read_piece pieces,
// stops when the sink says so, and can fail midway like a dropped connection.
#include "memory_transport.hpp"

#include <gtest/gtest.h>

#include "piece_recorder.hpp"

namespace ftpchat {
namespace {

using testing::MemoryTransport;
using testing::PieceRecorder;

TEST(MemoryTransport, ReadToDeliversInPiecesOfTheConfiguredSize) {
  MemoryTransport server;
  std::string content;
  for (int i = 0; i < 3000; ++i) content += static_cast<char>('a' + i % 26);
  server.files["f"] = content;
  server.read_piece = 1000;
  PieceRecorder all;
  ASSERT_TRUE(server.read_to("f", 0, all.sink()));
  EXPECT_EQ(all.bytes, content);
  EXPECT_EQ(all.pieces, 3u);
  EXPECT_EQ(all.largest, 1000u);

  PieceRecorder tail;
  ASSERT_TRUE(server.read_to("f", 2500, tail.sink()));
  EXPECT_EQ(tail.bytes, content.substr(2500));
  EXPECT_EQ(tail.pieces, 1u);
  EXPECT_EQ(server.read("f", 7).value(), content.substr(7));  // read() collects the pieces

  PieceRecorder none;
  ASSERT_TRUE(server.read_to("f", 3000, none.sink()));
  EXPECT_EQ(none.pieces, 0u);
  EXPECT_EQ(server.read_to("f", 3001, none.sink()).error().code, Errc::bad_data);
  EXPECT_EQ(server.read_to("g", 0, none.sink()).error().code, Errc::not_found);
}

TEST(MemoryTransport, ReadToStopsWhenTheSinkSaysSoAndCanFailMidway) {
  MemoryTransport server;
  server.files["f"] = std::string(10000, 'x');
  PieceRecorder stopping;
  stopping.stop_at_piece = 2;
  const std::uint64_t before = server.stats().bytes_downloaded;
  auto stopped = server.read_to("f", 0, stopping.sink());
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().code, Errc::cancelled);
  EXPECT_EQ(stopping.bytes.size(), 2 * server.read_piece);
  EXPECT_EQ(server.stats().bytes_downloaded - before, 2 * server.read_piece);

  server.fail_next_read_after = 5000;
  PieceRecorder cut;
  auto failed = server.read_to("f", 0, cut.sink());
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, Errc::unreachable);
  EXPECT_EQ(cut.bytes.size(), 5000u);
  EXPECT_EQ(server.read("f", 0).value().size(), 10000u);  // only the next read fails
}

}  // namespace
}  // namespace ftpchat
