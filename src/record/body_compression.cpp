// zstd for record bodies: compressed only when that saves bytes; decompression never writes
// past the format's body limit, whatever the frame header claims.
#include "body_compression.hpp"

#include <zstd.h>

namespace ftpchat {

namespace {
// Chat bodies are at most 64 KiB: the strongest level costs a few ms at worst.
constexpr int kLevel = 19;
}  // namespace

std::optional<std::string> compress_body(std::string_view body) {
  if (body.empty()) return std::nullopt;
  std::string frame(ZSTD_compressBound(body.size()), '\0');
  const std::size_t n = ZSTD_compress(frame.data(), frame.size(), body.data(), body.size(), kLevel);
  if (ZSTD_isError(n) || n >= body.size()) return std::nullopt;
  frame.resize(n);
  return frame;
}

std::optional<std::string> decompress_body(std::string_view frame, std::size_t max_bytes) {
  const unsigned long long declared = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR) return std::nullopt;
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared > max_bytes) return std::nullopt;
  // Capacity max_bytes: a frame that lies about (or omits) its size fails with
  // dstSize_tooSmall instead of growing the buffer.
  std::string body(declared != ZSTD_CONTENTSIZE_UNKNOWN ? declared : max_bytes, '\0');
  const std::size_t n = ZSTD_decompress(body.data(), body.size(), frame.data(), frame.size());
  if (ZSTD_isError(n)) return std::nullopt;
  body.resize(n);
  return body;
}

}  // namespace ftpchat
