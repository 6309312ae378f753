// Record codec: the one decode entry point (decode_line) that reads the version byte, and
// version 1 (docs/FORMAT.md, "Records"): plaintext layout, associated data that binds a record
// to its room and writer file, base64url line encoding, and append framing. Version 2 lives in
// record_v2.cpp.
#include "ftpchat/record/record.hpp"

#include <string>

#include "ftpchat/core/wire.hpp"
#include "record_v2.hpp"

namespace ftpchat {

namespace {

constexpr std::string_view kRecordAdPrefix = "ftpchatfs v1 record";
constexpr std::size_t kNonceBytes = std::tuple_size_v<Nonce>;
constexpr std::size_t kTagBytes = 16;
// flags u8 | seq u64 | stamp u64 | message id | nick length u8
constexpr std::size_t kFixedPlaintextBytes = 1 + 8 + 8 + 16 + 1;

std::string record_ad(const Id128& room_id, const Id128& writer) {
  std::string ad(kRecordAdPrefix);
  ad.push_back(static_cast<char>(kFormatVersion));
  ad += as_chars(room_id);
  ad += as_chars(writer);
  return ad;
}

Error bad(std::string detail) { return make_error(Errc::bad_data, std::move(detail)); }

Result<DecodedRecord> decode_v1(const RecordCipher& cipher, const Id128& room_id,
                                const Id128& writer, std::string_view binary) {
  if (binary.size() < 1 + kNonceBytes + kTagBytes) return bad("record is truncated");
  auto plain = cipher.open(binary.substr(1), record_ad(room_id, writer));
  if (!plain)
    return bad("record does not authenticate (damaged, or copied from another room or writer)");
  // Past this point the writer held the room key, but its bytes are still checked.
  const std::string_view p = *plain;
  if (p.size() < kFixedPlaintextBytes) return bad("record plaintext is too short");
  DecodedRecord out;
  Message& msg = out.message;
  WireReader in(p);
  msg.flags = *in.u8();
  if ((msg.flags & ~kFlagZstd) != 0) return bad("record uses flags unknown to format v1");
  msg.seq = *in.u64();
  msg.stamp = *in.u64();
  msg.id = *in.array<16>();
  const std::size_t nick_len = *in.u8();
  if (nick_len > kMaxNickBytes) return bad("record nick is longer than the limit");
  auto nick = in.bytes(nick_len);
  if (!nick) return bad("record nick length is inconsistent");
  msg.nick = std::string(*nick);
  auto body = decode_message_body(msg.flags, in.rest());
  if (!body) return body.error();
  msg.body = std::move(*body);
  msg.writer = writer;
  return out;
}

}  // namespace

Result<std::string> encode_record(const RecordCipher& cipher, const Id128& room_id,
                                  const Message& msg, EncodeOptions options) {
  if (msg.nick.size() > kMaxNickBytes)
    return make_error(Errc::too_large,
                      "nick is longer than " + std::to_string(kMaxNickBytes) + " bytes");
  auto body = encode_message_body(msg, options);
  if (!body) return body.error();
  const bool packed = body->flags != 0;

  std::string plain;
  plain.reserve(kFixedPlaintextBytes + msg.nick.size() + body->bytes.size());
  put_u8(plain, packed ? kFlagZstd : 0);
  put_u64(plain, msg.seq);
  put_u64(plain, msg.stamp);
  plain += as_chars(msg.id);
  put_u8(plain, static_cast<std::uint8_t>(msg.nick.size()));
  plain += msg.nick;
  plain += body->bytes;

  std::string binary(1, static_cast<char>(kFormatVersion));
  binary += cipher.seal(plain, record_ad(room_id, msg.writer));
  return to_base64(binary);
}

Result<DecodedRecord> decode_line(const RecordKeys& keys, const Id128& room_id,
                                  const Id128& writer, std::string_view line) {
  if (line.empty()) return bad("record is empty");
  auto binary = from_base64(line);
  if (!binary) return bad("record is not base64url");
  if (binary->empty()) return bad("record is empty");
  const auto version = static_cast<std::uint8_t>((*binary)[0]);
  if (version == kFormatVersion) {
    if (keys.v1() == nullptr) return bad("a version 1 record in a member room");
    return decode_v1(*keys.v1(), room_id, writer, *binary);
  }
  if (version == kFormatVersionV2 || version == kSealedLineV2) {
    if (keys.v1() != nullptr) return bad("a version 2 record in a passphrase room");
    return decode_v2(keys, room_id, writer, *binary);
  }
  return bad("unsupported record version " + std::to_string(version));
}

Result<Message> decode_record(const RecordCipher& cipher, const Id128& room_id, const Id128& writer,
                              std::string_view line) {
  auto decoded = decode_line(V1Keys(cipher), room_id, writer, line);
  if (!decoded) return decoded.error();
  return std::move(decoded->message);
}

std::string frame_records(const std::vector<std::string>& lines) {
  std::string out = "\n";
  for (const auto& line : lines) {
    out += line;
    out += '\n';
  }
  return out;
}

}  // namespace ftpchat
