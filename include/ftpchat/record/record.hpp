// Records (docs/FORMAT.md, "Records" and "Records (version 2)"): one sealed record per line of
// a writer file, decoded by one entry point (decode_line) that reads the version byte.
#pragma once

#include <cstdint>
#include <optional>
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
constexpr std::uint8_t kFormatVersionV2 = 2;
constexpr std::uint8_t kSealedLineV2 = 3;  // a v2 record that carries a seal starts with this
// A v2 seal, at the end of its record's plaintext (docs/FORMAT.md, "Records (version 2)"): its
// last byte says whether it names the signer, and so its length.
constexpr std::size_t kSealNamedBytes = 8 + 32 + 64 + 1;  // anchor, signer, signature, 0x01
constexpr std::size_t kSealBytes = 8 + 64 + 1;            // anchor, signature, 0x00
constexpr std::uint8_t kFlagZstd = 0x01;  // flags bit 0: the body is one zstd frame

struct Message {
  Id128 id{};             // random per message
  Id128 writer{};         // writer file it belongs to (bound as associated data)
  std::uint64_t seq = 0;  // 1, 2, 3 ... per writer
  std::uint64_t stamp = 0;  // hybrid logical clock (core/clock.hpp)
  std::uint8_t flags = 0;   // as found on the wire (kFlagZstd); body is always plain text
  std::string nick;         // v1: as written; v2: the signer's name in the room (rendering)
  std::string body;
  std::string signer_id;    // v2: the signer's public id (log.jsonl); empty in v1 rooms
};

// Record kinds of version 2 (version 1 records are all messages). 0 and 2 are invalid (2 was
// a seal record of a draft of the format); other values are kinds a later version may add:
// readers skip them once sealed.
enum class RecordKind : std::uint8_t { message = 1, membership = 3, receipt = 4 };

// Which keys open a room's records: a passphrase room has one cipher, a member room one per
// epoch (identity/keyring.hpp). Both return nullptr when they have no such key.
class RecordKeys {
 public:
  virtual ~RecordKeys() = default;
  virtual const RecordCipher* v1() const { return nullptr; }
  virtual const RecordCipher* epoch(const Id128& /*epoch_id*/) const { return nullptr; }
};

// The keys of a passphrase room.
class V1Keys final : public RecordKeys {
 public:
  explicit V1Keys(const RecordCipher& cipher) : cipher_(cipher) {}
  const RecordCipher* v1() const override { return &cipher_; }

 private:
  const RecordCipher& cipher_;
};

struct DecodedRecord {
  std::uint8_t version = kFormatVersion;
  Id128 epoch{};            // v2
  std::uint8_t kind = 1;    // v2: the kind byte as found (RecordKind or unknown); v1: message
  Message message;          // writer, seq, stamp always; id, flags, nick, body for messages
  std::string payload;      // v2: the bytes after kind, seq and stamp (not for messages:
                            // their fields are in `message`)
  std::string content;      // v2: the decrypted plaintext without its seal (what the chain
                            // hashes): kind || seq || stamp || payload
  std::string seal;         // v2: the seal this record carries, as found; empty when none
};

struct EncodeOptions {
  bool compress = false;  // zstd the body, when that makes the record smaller
};

// The record as one line of base64 text, without framing newlines. The codec sets the flags:
// msg.flags must be 0. too_large when the body or nick exceeds the limits.
Result<std::string> encode_record(const RecordCipher& cipher, const Id128& room_id,
                                  const Message& msg, EncodeOptions options = {});

// THE decoder, for a line found in writer file `writer` of room `room_id`: reads the version
// byte and decodes a v1 record (keys.v1()) or a v2 record (keys.epoch() of its epoch id).
// bad_data when the line is not base64, is truncated, fails authentication, is of the other
// room kind's version, or breaks a plaintext rule; not_found when it is a v2 record of an
// epoch the keys do not hold (record_epoch() says which).
Result<DecodedRecord> decode_line(const RecordKeys& keys, const Id128& room_id,
                                  const Id128& writer, std::string_view line);

// decode_line for a v1 record, as a Message (tests and tools of passphrase rooms).
Result<Message> decode_record(const RecordCipher& cipher, const Id128& room_id,
                              const Id128& writer, std::string_view line);

// The epoch id of a v2 record line, read without any key; nullopt for anything else.
std::optional<Id128> record_epoch(std::string_view line);

// Version 2 encoding. A record's content is kind || seq || stamp || payload; a message's
// payload is flags || id || body (zstd when asked and smaller; too_large over the limit).
std::string v2_content(RecordKind kind, std::uint64_t seq, std::uint64_t stamp,
                       std::string_view payload);
Result<std::string> v2_message_payload(const Message& msg, EncodeOptions options = {});
// The line for a content encrypted under an epoch's records cipher (fresh nonce). With a
// `seal` (identity/seal.hpp's encode_seal) the plaintext is content || seal and the line
// byte says so.
std::string encode_record_v2(const RecordCipher& epoch_cipher, const Id128& epoch,
                             const Id128& room_id, const Id128& writer, std::string_view content,
                             std::string_view seal = {});
// Same with a caller-chosen nonce: known-answer tests only.
std::string encode_record_v2_with_nonce(const RecordCipher& epoch_cipher, const Id128& epoch,
                                        const Id128& room_id, const Id128& writer,
                                        std::string_view content, const Nonce& nonce,
                                        std::string_view seal = {});

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
