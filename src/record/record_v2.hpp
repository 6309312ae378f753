// Internal to the record module: the version 2 half of decode_line, and the message body
// rules both versions share.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ftpchat/record/record.hpp"

namespace ftpchat {

struct EncodedBody {
  std::uint8_t flags = 0;  // kFlagZstd when `bytes` is a zstd frame
  std::string bytes;
};

// The body as it goes on the wire: too_large over kMaxBodyBytes, invalid_argument when the
// caller set flags (the codec sets them), zstd when asked and smaller.
Result<EncodedBody> encode_message_body(const Message& msg, EncodeOptions options);

// The message body as read (at most kMaxBodyBytes), decompressed when flags say zstd.
Result<std::string> decode_message_body(std::uint8_t flags, std::string_view raw);

// `binary` starts with the version byte 0x02.
Result<DecodedRecord> decode_v2(const RecordKeys& keys, const Id128& room_id, const Id128& writer,
                                std::string_view binary);

}  // namespace ftpchat
