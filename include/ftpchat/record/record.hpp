// Message records (docs/FORMAT.md, "Records"): one sealed message per line of a writer file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ftpchat/cipher/record_cipher.hpp"
#include "ftpchat/core/bytes.hpp"
#include "ftpchat/core/error.hpp"

namespace ftpchat {

constexpr std::size_t kMaxBodyBytes = 65536;  // larger messages are refused at send time
constexpr std::size_t kMaxNickBytes = 64;
constexpr std::uint8_t kFormatVersion = 1;
constexpr std::uint8_t kFlagZstd = 0x01;  // flags bit 0: the body is one zstd frame

struct Message {
  Id128 id{};             // random per message
  Id128 writer{};         // writer file it belongs to (bound as associated data)
  std::uint64_t seq = 0;  // 1, 2, 3 ... per writer
  std::uint64_t stamp = 0;  // hybrid logical clock (core/clock.hpp)
  std::uint8_t flags = 0;   // as found on the wire (kFlagZstd); body is always plain text
  std::string nick;
  std::string body;
};

struct EncodeOptions {
  bool compress = false;  // zstd the body, when that makes the record smaller
};

// The record as one line of base64 text, without framing newlines. The codec sets the flags:
// msg.flags must be 0. too_large when the body or nick exceeds the limits.
Result<std::string> encode_record(const RecordCipher& cipher, const Id128& room_id,
                                  const Message& msg, EncodeOptions options = {});

// Inverse of encode_record for a line found in writer file `writer` of room `room_id`.
// bad_data when the line is not base64, is truncated, or fails authentication.
Result<Message> decode_record(const RecordCipher& cipher, const Id128& room_id,
                              const Id128& writer, std::string_view line);

// Bytes to append for a batch of encoded records: "\n" + r1 + "\n" + r2 + "\n" ...
// The leading newline terminates a torn earlier append so it cannot swallow r1.
std::string frame_records(const std::vector<std::string>& lines);

// No valid record line comes near this: the largest v1 record is 87,567 bytes of base64.
constexpr std::size_t kMaxRecordLineBytes = 256 * 1024;

// Incremental reader of a writer file: feed fetched bytes, take complete non-empty lines.
// A line without its final newline stays pending until more bytes arrive. A line longer than
// kMaxRecordLineBytes is dropped, up to and including its newline, so memory stays bounded.
class LineSplitter {
 public:
  std::vector<std::string> feed(std::string_view bytes);
  std::size_t pending_bytes() const { return pending_.size(); }

 private:
  std::string pending_;
  bool discarding_ = false;  // inside an oversized line: skip up to the next '\n'
};

}  // namespace ftpchat
