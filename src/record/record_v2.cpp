// Record codec version 2 (docs/FORMAT.md, "Records (version 2)"): the epoch id in clear, the
// plaintext content (kind || seq || stamp || payload) and its seal, if the line byte says it
// carries one, under the epoch's records key, and the message payload flags || id || body.
// What a seal says and membership payloads are the identity layer's; this layer only splits
// the seal off by its form byte.
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
  std::size_t seal_bytes = 0;
  if (line_byte == kSealedLineV2) {  // the seal's last byte gives its length
    const int form = plain->empty() ? -1 : static_cast<std::uint8_t>(plain->back());
    seal_bytes = form == 1 ? kSealNamedBytes : form == 0 ? kSealBytes : 0;
    if (seal_bytes == 0) return bad("a record's seal is of an unknown form");
  }
  if (plain->size() < kHeadBytes + seal_bytes) return bad("record plaintext is too short");
  out.seal = plain->substr(plain->size() - seal_bytes);
  plain->resize(plain->size() - seal_bytes);
  WireReader in(*plain);
  out.kind = *in.u8();
  out.message.seq = *in.u64();
  out.message.stamp = *in.u64();
  out.message.writer = writer;
  if (out.kind == 0 || out.kind == 2) return bad("record kind " + std::to_string(out.kind) + " is invalid");
  if (out.message.seq == 0) return bad("record seq 0 is invalid");
  const std::string_view payload = in.rest();
  if (out.kind == static_cast<std::uint8_t>(RecordKind::message)) {  // body: the one copy kept
    if (auto ok = decode_message(out, payload); !ok) return ok.error();
  } else {
    out.payload = std::string(payload);
  }
  out.content = std::move(*plain);
  return out;
}

std::optional<Id128> record_epoch(std::string_view line) {
  // 1 + 16 bytes are the first 23 base64 characters (22 full characters + part of one).
  auto head = from_base64(line.substr(0, 24));
  if (!head || head->size() < 17) return std::nullopt;
  const auto line_byte = static_cast<std::uint8_t>((*head)[0]);
  if (line_byte != kFormatVersionV2 && line_byte != kSealedLineV2) return std::nullopt;
  Id128 epoch{};
  std::copy_n(head->begin() + 1, 16, epoch.begin());
  return epoch;
}

std::string v2_content(RecordKind kind, std::uint64_t seq, std::uint64_t stamp,
                       std::string_view payload) {
  std::string content;
  content.reserve(kHeadBytes + payload.size() + kSealNamedBytes);  // room for a seal
  put_u8(content, static_cast<std::uint8_t>(kind));
  put_u64(content, seq);
  put_u64(content, stamp);
  content += payload;
  return content;
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
                                        std::string_view content, const Nonce& nonce,
                                        std::string_view seal) {
  const std::uint8_t line_byte = seal.empty() ? kFormatVersionV2 : kSealedLineV2;
  std::string binary(1, static_cast<char>(line_byte));
  binary += as_chars(epoch);
  const std::string ad = record_ad(line_byte, room_id, writer, epoch);
  if (seal.empty()) {
    binary += epoch_cipher.seal_with_nonce(content, ad, nonce);
  } else {
    std::string plain;
    plain.reserve(content.size() + seal.size());
    plain += content;
    plain += seal;
    binary += epoch_cipher.seal_with_nonce(plain, ad, nonce);
  }
  return to_base64(binary);
}

std::string encode_record_v2(const RecordCipher& epoch_cipher, const Id128& epoch,
                             const Id128& room_id, const Id128& writer, std::string_view content,
                             std::string_view seal) {
  Nonce nonce{};
  randombytes_buf(nonce.data(), nonce.size());
  return encode_record_v2_with_nonce(epoch_cipher, epoch, room_id, writer, content, nonce, seal);
}

}  // namespace ftpchat
