// Internal to the record module: zstd for record bodies (flags bit 0), bounded on the way in.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ftpchat {

// The zstd frame of body, or nullopt when it would not be smaller than body.
std::optional<std::string> compress_body(std::string_view body);

// The body inside a zstd frame; nullopt when it is not valid zstd or would decompress to more
// than max_bytes (a "zip bomb" costs a reader at most max_bytes of memory).
std::optional<std::string> decompress_body(std::string_view frame, std::size_t max_bytes);

}  // namespace ftpchat
