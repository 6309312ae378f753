// Record codec v1 (docs/FORMAT.md, "Records"): plaintext layout, associated data that binds a
// record to its room and writer file, base64url line encoding, and append framing.
#include "ftpchat/record/record.hpp"

#include <string>

#include "body_compression.hpp"

namespace ftpchat {

namespace {

constexpr std::string_view kRecordAdPrefix = "ftpchatfs v1 record";
constexpr std::size_t kNonceBytes = std::tuple_size_v<Nonce>;
constexpr std::size_t kTagBytes = 16;
// flags u8 | seq u64 | stamp u64 | message id | nick length u8
constexpr std::size_t kFixedPlaintextBytes = 1 + 8 + 8 + 16 + 1;

void put_u64(std::string& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((value >> shift) & 0xff));
}

std::uint64_t get_u64(std::string_view in) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < 8; ++i) value = (value << 8) | static_cast<std::uint8_t>(in[i]);
  return value;
}

std::string record_ad(const Id128& room_id, const Id128& writer) {
  std::string ad(kRecordAdPrefix);
  ad.push_back(static_cast<char>(kFormatVersion));
  ad += as_chars(room_id);
  ad += as_chars(writer);
  return ad;
}

Error bad(std::string detail) { return make_error(Errc::bad_data, std::move(detail)); }

}  // namespace

Result<std::string> encode_record(const RecordCipher& cipher, const Id128& room_id,
                                  const Message& msg, EncodeOptions options) {
  if (msg.body.size() > kMaxBodyBytes)
    return make_error(Errc::too_large, "message of " + std::to_string(msg.body.size()) +
                                           " bytes is over the limit of " +
                                           std::to_string(kMaxBodyBytes));
  if (msg.nick.size() > kMaxNickBytes)
    return make_error(Errc::too_large,
                      "nick is longer than " + std::to_string(kMaxNickBytes) + " bytes");
  if (msg.flags != 0)
    return make_error(Errc::invalid_argument, "record flags are set by the codec, not the caller");
  std::optional<std::string> packed;
  if (options.compress) packed = compress_body(msg.body);
  const std::string_view body = packed ? std::string_view(*packed) : std::string_view(msg.body);

  std::string plain;
  plain.reserve(kFixedPlaintextBytes + msg.nick.size() + body.size());
  plain.push_back(static_cast<char>(packed ? kFlagZstd : 0));
  put_u64(plain, msg.seq);
  put_u64(plain, msg.stamp);
  plain += as_chars(msg.id);
  plain.push_back(static_cast<char>(msg.nick.size()));
  plain += msg.nick;
  plain += body;

  std::string binary(1, static_cast<char>(kFormatVersion));
  binary += cipher.seal(plain, record_ad(room_id, msg.writer));
  return to_base64(binary);
}

Result<Message> decode_record(const RecordCipher& cipher, const Id128& room_id, const Id128& writer,
                              std::string_view line) {
  if (line.empty()) return bad("record is empty");
  auto binary = from_base64(line);
  if (!binary) return bad("record is not base64url");
  if (binary->empty()) return bad("record is empty");
  const auto version = static_cast<std::uint8_t>((*binary)[0]);
  if (version != kFormatVersion)
    return bad("unsupported record version " + std::to_string(version));
  if (binary->size() < 1 + kNonceBytes + kTagBytes) return bad("record is truncated");
  auto plain = cipher.open(std::string_view(*binary).substr(1), record_ad(room_id, writer));
  if (!plain)
    return bad("record does not authenticate (damaged, or copied from another room or writer)");
  // Past this point the writer held the room key, but its bytes are still checked.
  const std::string_view p = *plain;
  if (p.size() < kFixedPlaintextBytes) return bad("record plaintext is too short");
  Message msg;
  msg.flags = static_cast<std::uint8_t>(p[0]);
  if ((msg.flags & ~kFlagZstd) != 0) return bad("record uses flags unknown to format v1");
  msg.seq = get_u64(p.substr(1));
  msg.stamp = get_u64(p.substr(9));
  std::copy(p.begin() + 17, p.begin() + 33, msg.id.begin());
  const std::size_t nick_len = static_cast<std::uint8_t>(p[33]);
  if (nick_len > kMaxNickBytes) return bad("record nick is longer than the limit");
  if (nick_len > p.size() - kFixedPlaintextBytes) return bad("record nick length is inconsistent");
  msg.nick = std::string(p.substr(kFixedPlaintextBytes, nick_len));
  msg.body = std::string(p.substr(kFixedPlaintextBytes + nick_len));
  if (msg.body.size() > kMaxBodyBytes) return bad("record body is longer than the limit");
  if (msg.flags & kFlagZstd) {
    auto body = decompress_body(msg.body, kMaxBodyBytes);
    if (!body) return bad("record body is not zstd within the size limit");
    msg.body = std::move(*body);
  }
  msg.writer = writer;
  return msg;
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
