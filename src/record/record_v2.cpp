// Record codec version 2 (docs/FORMAT.md, "Records (version 2)"): the epoch id in clear, the
// plaintext kind || seq || stamp || payload under the epoch's records key, and the message
// payload flags || id || body. Seals and membership payloads are the identity layer's.
#include "record_v2.hpp"

#include <sodium.h>

#include <algorithm>

#include "body_compression.hpp"
#include "ftpchat/core/wire.hpp"

namespace ftpchat {

namespace {

constexpr std::string_view kRecordAdPrefix = "ftpchatfs v2 record";
constexpr std::size_t kNonceBytes = std::tuple_size_v<Nonce>;
constexpr std::size_t kTagBytes = 16;
constexpr std::size_t kHeadBytes = 1 + 8 + 8;          // kind, seq, stamp
constexpr std::size_t kMessageHeadBytes = 1 + 16;      // flags, message id

Error bad(std::string detail) { return make_error(Errc::bad_data, std::move(detail)); }

std::string record_ad(std::uint8_t line_byte, const Id128& room_id, const Id128& writer,
                      const Id128& epoch) {
  std::string ad(kRecordAdPrefix);
  ad.push_back(static_cast<char>(line_byte));
  ad += as_chars(room_id);
  ad += as_chars(writer);
  ad += as_chars(epoch);
  return ad;
}

Result<void> decode_message(DecodedRecord& out, std::string_view payload) {
  Message& msg = out.message;
  WireReader in(payload);
  if (in.remaining() < kMessageHeadBytes) return bad("message record is too short");
  msg.flags = *in.u8();
  if ((msg.flags & ~kFlagZstd) != 0) return bad("record uses flags unknown to format v2");
  msg.id = *in.array<16>();
  auto body = decode_message_body(msg.flags, in.rest());
  if (!body) return body.error();
  msg.body = std::move(*body);
  return {};
}

}  // namespace

Result<std::string> decode_message_body(std::uint8_t flags, std::string_view raw) {
  if (raw.size() > kMaxBodyBytes) return bad("record body is longer than the limit");
  if ((flags & kFlagZstd) == 0) return std::string(raw);
  auto body = decompress_body(raw, kMaxBodyBytes);
  if (!body) return bad("record body is not zstd within the size limit");
  return std::move(*body);
}

Result<EncodedBody> encode_message_body(const Message& msg, EncodeOptions options) {
  if (msg.body.size() > kMaxBodyBytes)
    return make_error(Errc::too_large, "message of " + std::to_string(msg.body.size()) +
                                           " bytes is over the limit of " +
                                           std::to_string(kMaxBodyBytes));
  if (msg.flags != 0)
    return make_error(Errc::invalid_argument, "record flags are set by the codec, not the caller");
  if (options.compress)
    if (auto packed = compress_body(msg.body)) return EncodedBody{kFlagZstd, std::move(*packed)};
  return EncodedBody{0, msg.body};
}

Result<DecodedRecord> decode_v2(const RecordKeys& keys, const Id128& room_id, const Id128& writer,
                                std::string_view binary) {
  if (binary.size() < 1 + 16 + kNonceBytes + kTagBytes + kHeadBytes)
    return bad("record is truncated");
  DecodedRecord out;
  out.version = kFormatVersionV2;
  const auto line_byte = static_cast<std::uint8_t>(binary[0]);
  std::copy_n(binary.begin() + 1, 16, out.epoch.begin());
  const RecordCipher* cipher = keys.epoch(out.epoch);
  if (cipher == nullptr)
    return make_error(Errc::not_found, "no key for epoch " + to_hex(out.epoch));
  auto plain = cipher->open(binary.substr(1 + 16), record_ad(line_byte, room_id, writer, out.epoch));
  if (!plain)
    return bad("record does not authenticate (damaged, or copied from another room or writer)");
  if (plain->size() < kHeadBytes) return bad("record plaintext is too short");
  WireReader in(*plain);
  out.kind = *in.u8();
  out.message.seq = *in.u64();
  out.message.stamp = *in.u64();
  out.message.writer = writer;
  if (out.kind == 0) return bad("record kind 0 is invalid");
  if ((out.kind == static_cast<std::uint8_t>(RecordKind::seal)) != (line_byte == kSealLineV2))
    return bad("a seal's line byte and kind disagree");
  if (out.message.seq == 0) return bad("record seq 0 is invalid");
  const std::string_view payload = in.rest();
  if (out.kind == static_cast<std::uint8_t>(RecordKind::message)) {  // body: the one copy kept
    if (auto ok = decode_message(out, payload); !ok) return ok.error();
  } else {
    out.payload = std::string(payload);
  }
  out.plaintext = std::move(*plain);
  return out;
}

std::optional<Id128> record_epoch(std::string_view line) {
  // 1 + 16 bytes are the first 23 base64 characters (22 full characters + part of one).
  auto head = from_base64(line.substr(0, 24));
  if (!head || head->size() < 17) return std::nullopt;
  const auto line_byte = static_cast<std::uint8_t>((*head)[0]);
  if (line_byte != kFormatVersionV2 && line_byte != kSealLineV2) return std::nullopt;
  Id128 epoch{};
  std::copy_n(head->begin() + 1, 16, epoch.begin());
  return epoch;
}

bool is_seal_line(std::string_view line) {
  // Base64url of a first byte 0x03: 'A' (its top six bits, 0), then a character of index
  // 48..63 ('w'..'z', '0'..'9', '-', '_': its two low bits, 11, then four bits of the next).
  if (line.size() < 2 || line[0] != 'A') return false;
  const char c = line[1];
  return (c >= 'w' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

std::string v2_plaintext(RecordKind kind, std::uint64_t seq, std::uint64_t stamp,
                         std::string_view payload) {
  std::string plain;
  plain.reserve(kHeadBytes + payload.size());
  put_u8(plain, static_cast<std::uint8_t>(kind));
  put_u64(plain, seq);
  put_u64(plain, stamp);
  plain += payload;
  return plain;
}

Result<std::string> v2_message_payload(const Message& msg, EncodeOptions options) {
  auto body = encode_message_body(msg, options);
  if (!body) return body.error();
  std::string payload;
  payload.reserve(kMessageHeadBytes + body->bytes.size());
  put_u8(payload, body->flags);
  payload += as_chars(msg.id);
  payload += body->bytes;
  return payload;
}

std::string encode_record_v2_with_nonce(const RecordCipher& epoch_cipher, const Id128& epoch,
                                        const Id128& room_id, const Id128& writer,
                                        std::string_view plaintext, const Nonce& nonce) {
  const bool seal = !plaintext.empty() &&
                    static_cast<std::uint8_t>(plaintext[0]) == static_cast<std::uint8_t>(RecordKind::seal);
  const std::uint8_t line_byte = seal ? kSealLineV2 : kFormatVersionV2;
  std::string binary(1, static_cast<char>(line_byte));
  binary += as_chars(epoch);
  binary += epoch_cipher.seal_with_nonce(plaintext, record_ad(line_byte, room_id, writer, epoch), nonce);
  return to_base64(binary);
}

std::string encode_record_v2(const RecordCipher& epoch_cipher, const Id128& epoch,
                             const Id128& room_id, const Id128& writer, std::string_view plaintext) {
  Nonce nonce{};
  randombytes_buf(nonce.data(), nonce.size());
  return encode_record_v2_with_nonce(epoch_cipher, epoch, room_id, writer, plaintext, nonce);
}

}  // namespace ftpchat
