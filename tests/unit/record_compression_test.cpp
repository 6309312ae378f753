// Record flags bit 0 (zstd): used only when it saves bytes, read by every client, bounded.
#include <gtest/gtest.h>
#include <zstd.h>

#include <string>

#include "../../src/record/body_compression.hpp"
#include "ftpchat/record/record.hpp"

namespace ftpchat {
namespace {

std::unique_ptr<RecordCipher> cipher() {
  return make_record_cipher(Suite::xchacha20poly1305, SecretBytes::from(std::string(32, 'k')));
}

Message with_body(std::string body) {
  Message m;
  m.id.fill(1);
  m.writer.fill(2);
  m.seq = 1;
  m.nick = "alice";
  m.body = std::move(body);
  return m;
}

std::string repetitive_text() {
  std::string s;
  for (int i = 0; i < 200; ++i) s += "the quick brown fox jumps over the lazy dog " + std::to_string(i % 7) + "\n";
  return s;
}

TEST(RecordCompression, LongTextShrinksAndRoundTrips) {
  auto c = cipher();
  Id128 room{};
  const Message m = with_body(repetitive_text());
  const std::string plain_line = *encode_record(*c, room, m);
  const std::string packed_line = *encode_record(*c, room, m, {.compress = true});
  EXPECT_LT(packed_line.size() * 4, plain_line.size());
  auto back = decode_record(*c, room, m.writer, packed_line);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->body, m.body);
  EXPECT_EQ(back->flags, kFlagZstd);
  EXPECT_EQ(decode_record(*c, room, m.writer, plain_line)->flags, 0);
}

TEST(RecordCompression, ShortTextIsLeftAlone) {
  auto c = cipher();
  Id128 room{};
  const Message m = with_body("hi");
  const std::string line = *encode_record(*c, room, m, {.compress = true});
  EXPECT_EQ(decode_record(*c, room, m.writer, line)->flags, 0);
  EXPECT_EQ(line.size(), encode_record(*c, room, m)->size());
}

TEST(RecordCompression, DecompressionIsBounded) {
  // A small frame of 1 MiB of zeros: a zip bomb against a 64 KiB limit.
  const std::string zeros(1 << 20, '\0');
  std::string frame(ZSTD_compressBound(zeros.size()), '\0');
  frame.resize(ZSTD_compress(frame.data(), frame.size(), zeros.data(), zeros.size(), 3));
  EXPECT_LT(frame.size(), 1000u);
  EXPECT_FALSE(decompress_body(frame, kMaxBodyBytes));
  EXPECT_TRUE(decompress_body(frame, zeros.size()));
  // The same without a declared content size (streamed frame) is refused too.
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
  std::string streamed(ZSTD_compressBound(zeros.size()), '\0');
  streamed.resize(ZSTD_compress2(cctx, streamed.data(), streamed.size(), zeros.data(), zeros.size()));
  ZSTD_freeCCtx(cctx);
  EXPECT_EQ(ZSTD_getFrameContentSize(streamed.data(), streamed.size()), ZSTD_CONTENTSIZE_UNKNOWN);
  EXPECT_FALSE(decompress_body(streamed, kMaxBodyBytes));
  EXPECT_FALSE(decompress_body("garbage", kMaxBodyBytes));
}

}  // namespace
}  // namespace ftpchat
