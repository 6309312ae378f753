// Record codec v1: known answers, round trips, limits, and every way a record is refused.
#include "ftpchat/record/record.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include "ftpchat/record/header.hpp"
#include "kat_v1.hpp"

namespace ftpchat {
namespace {

// Seals with a fixed nonce so encode_record's output can be compared with the vectors.
class FixedNonceCipher final : public RecordCipher {
 public:
  FixedNonceCipher(const RecordCipher& inner, Nonce nonce) : inner_(inner), nonce_(nonce) {}
  Suite suite() const override { return inner_.suite(); }
  std::string seal(std::string_view p, std::string_view ad) const override {
    return inner_.seal_with_nonce(p, ad, nonce_);
  }
  std::string seal_with_nonce(std::string_view p, std::string_view ad,
                              const Nonce& n) const override {
    return inner_.seal_with_nonce(p, ad, n);
  }
  std::optional<std::string> open(std::string_view s, std::string_view ad) const override {
    return inner_.open(s, ad);
  }

 private:
  const RecordCipher& inner_;
  Nonce nonce_;
};

std::unique_ptr<RecordCipher> key_cipher(char fill) {
  return make_record_cipher(Suite::xchacha20poly1305, SecretBytes::from(std::string(32, fill)));
}

Id128 id_of(std::uint8_t fill) {
  Id128 id{};
  id.fill(fill);
  return id;
}

Message sample() {
  Message m;
  m.id = id_of(0x33);
  m.writer = id_of(0x44);
  m.seq = 7;
  m.stamp = 0x0123456789abcdefULL;
  m.nick = "alice";
  m.body = "hello\nworld";
  return m;
}

void expect_same(const Message& a, const Message& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.writer, b.writer);
  EXPECT_EQ(a.seq, b.seq);
  EXPECT_EQ(a.stamp, b.stamp);
  EXPECT_EQ(a.flags, b.flags);
  EXPECT_EQ(a.nick, b.nick);
  EXPECT_EQ(a.body, b.body);
}

void expect_bad(const Result<Message>& r, std::string_view detail_part) {
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::bad_data);
  EXPECT_NE(r.error().detail.find(detail_part), std::string::npos) << r.error().detail;
}

// The binary record for a hand-built plaintext, sealed correctly: for plaintext checks.
std::string seal_raw_plaintext(const RecordCipher& c, const Id128& room, const Id128& writer,
                               std::string_view plain) {
  std::string ad = "ftpchatfs v1 record";
  ad.push_back('\x01');
  ad += as_chars(room);
  ad += as_chars(writer);
  return to_base64("\x01" + c.seal(plain, ad));
}

TEST(Record, ReproducesAndDecodesKnownAnswers) {
  const auto kat = test::load_kat();
  auto header = parse_header(kat.header);
  ASSERT_TRUE(header);
  auto room = open_room(*header, SecretBytes::from(kat.bytes("passphrase_hex")));
  ASSERT_TRUE(room) << room.error().detail;
  ASSERT_EQ(kat.records.size(), 4u);
  for (const auto& r : kat.records) {
    const Message expected = test::Kat::message(r);
    const std::string& line = r.fields.at("record_line");
    auto encoded = encode_record(FixedNonceCipher(*room->cipher, test::Kat::nonce(r)),
                                 header->room_id, expected);
    ASSERT_TRUE(encoded) << encoded.error().detail;
    EXPECT_EQ(*encoded, line);
    auto decoded = decode_record(*room->cipher, header->room_id, expected.writer, line);
    ASSERT_TRUE(decoded) << decoded.error().detail;
    expect_same(*decoded, expected);
  }
  // The second vector has a non-ASCII nick and body.
  EXPECT_EQ(test::Kat::message(kat.records[1]).nick, "zoë");
}

TEST(Record, RoundTripSetsWriterFromArgument) {
  auto c = key_cipher('k');
  const Id128 room = id_of(0x11);
  auto line = encode_record(*c, room, sample());
  ASSERT_TRUE(line) << line.error().detail;
  EXPECT_EQ(line->find_first_of("\n=+/"), std::string::npos);
  // version byte 0x01 then the nonce: the first base64 character encodes 000000.
  EXPECT_EQ((*line)[0], 'A');
  auto decoded = decode_record(*c, room, sample().writer, *line);
  ASSERT_TRUE(decoded) << decoded.error().detail;
  expect_same(*decoded, sample());
}

TEST(Record, EmptyNickAndBodyAndLimitsRoundTrip) {
  auto c = key_cipher('k');
  const Id128 room = id_of(0x11);
  for (auto [nick_len, body_len] :
       {std::pair<std::size_t, std::size_t>{0, 0}, {kMaxNickBytes, kMaxBodyBytes}, {1, 1}}) {
    Message m = sample();
    m.nick = std::string(nick_len, 'n');
    m.body = std::string(body_len, '\xff');
    auto line = encode_record(*c, room, m);
    ASSERT_TRUE(line) << line.error().detail;
    EXPECT_LE(line->size(), kMaxRecordLineBytes);
    auto decoded = decode_record(*c, room, m.writer, *line);
    ASSERT_TRUE(decoded) << decoded.error().detail;
    expect_same(*decoded, m);
  }
}

TEST(Record, OversizedMessagesAreTooLarge) {
  auto c = key_cipher('k');
  Message m = sample();
  m.body = std::string(kMaxBodyBytes + 1, 'b');
  auto body = encode_record(*c, id_of(1), m);
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().code, Errc::too_large);
  m = sample();
  m.nick = std::string(kMaxNickBytes + 1, 'n');
  auto nick = encode_record(*c, id_of(1), m);
  ASSERT_FALSE(nick);
  EXPECT_EQ(nick.error().code, Errc::too_large);
}

TEST(Record, ReservedFlagsAreRefusedBothWays) {
  auto c = key_cipher('k');
  Message m = sample();
  m.flags = 1;
  auto line = encode_record(*c, id_of(1), m);
  ASSERT_FALSE(line);
  EXPECT_EQ(line.error().code, Errc::invalid_argument);

  std::string plain(34, '\0');
  plain[0] = '\x02';
  expect_bad(
      decode_record(*c, id_of(1), id_of(2), seal_raw_plaintext(*c, id_of(1), id_of(2), plain)),
      "flags");
  // Bit 0 (zstd) with a body that is not a zstd frame.
  plain[0] = '\x01';
  plain += "not zstd";
  expect_bad(
      decode_record(*c, id_of(1), id_of(2), seal_raw_plaintext(*c, id_of(1), id_of(2), plain)),
      "zstd");
}

TEST(Record, CopiedToAnotherWriterOrRoomFailsAuthentication) {
  auto c = key_cipher('k');
  const Id128 room = id_of(0x11);
  const std::string line = *encode_record(*c, room, sample());
  expect_bad(decode_record(*c, room, id_of(0x45), line), "does not authenticate");
  expect_bad(decode_record(*c, id_of(0x12), sample().writer, line), "does not authenticate");
  expect_bad(decode_record(*key_cipher('j'), room, sample().writer, line), "does not authenticate");
}

TEST(Record, GarbageIsBadData) {
  auto c = key_cipher('k');
  const Id128 room = id_of(0x11), writer = id_of(0x44);
  expect_bad(decode_record(*c, room, writer, ""), "empty");
  expect_bad(decode_record(*c, room, writer, "not base64!"), "not base64url");
  expect_bad(decode_record(*c, room, writer, "AQ=="), "not base64url");  // padding refused
  expect_bad(decode_record(*c, room, writer, "hello world"), "not base64url");
  std::string random(100, '\0');
  randombytes_buf(random.data(), random.size());
  random[0] = '\x01';
  expect_bad(decode_record(*c, room, writer, to_base64(random)), "does not authenticate");
}

TEST(Record, OtherVersionByteIsNamed) {
  auto c = key_cipher('k');
  const Id128 room = id_of(0x11);
  std::string binary = *from_base64(*encode_record(*c, room, sample()));
  binary[0] = '\x04';
  expect_bad(decode_record(*c, room, sample().writer, to_base64(binary)),
             "unsupported record version 4");
  binary[0] = '\x02';  // a member room's record in a passphrase room
  expect_bad(decode_record(*c, room, sample().writer, to_base64(binary)),
             "a version 2 record in a passphrase room");
}

TEST(Record, EveryTruncationIsBadData) {
  auto c = key_cipher('k');
  const Id128 room = id_of(0x11);
  const std::string line = *encode_record(*c, room, sample());
  const std::string binary = *from_base64(line);
  for (std::size_t len = 1; len < binary.size(); ++len) {
    auto r = decode_record(*c, room, sample().writer, to_base64(binary.substr(0, len)));
    ASSERT_FALSE(r) << "accepted a record cut at byte " << len;
    EXPECT_EQ(r.error().code, Errc::bad_data);
  }
  expect_bad(decode_record(*c, room, sample().writer, to_base64(binary.substr(0, 40))),
             "truncated");
  for (std::size_t len = 0; len < line.size(); ++len) {
    auto r = decode_record(*c, room, sample().writer, line.substr(0, len));
    ASSERT_FALSE(r) << "accepted a line cut at character " << len;
  }
}

TEST(Record, EveryFlippedBitIsBadData) {
  auto c = key_cipher('k');
  const Id128 room = id_of(0x11);
  const std::string binary = *from_base64(*encode_record(*c, room, sample()));
  for (std::size_t i = 0; i < binary.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = binary;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      auto r = decode_record(*c, room, sample().writer, to_base64(bad));
      ASSERT_FALSE(r) << "byte " << i << " bit " << bit;
      EXPECT_EQ(r.error().code, Errc::bad_data);
    }
  }
}

TEST(Record, AuthenticatedButMalformedPlaintextIsBadData) {
  auto c = key_cipher('k');
  const Id128 room = id_of(1), writer = id_of(2);
  auto decode_plain = [&](const std::string& plain) {
    return decode_record(*c, room, writer, seal_raw_plaintext(*c, room, writer, plain));
  };
  expect_bad(decode_plain(std::string(33, '\0')), "too short");
  std::string nick_overrun(34, '\0');
  nick_overrun[33] = 5;
  expect_bad(decode_plain(nick_overrun + "abcd"), "nick length is inconsistent");
  std::string long_nick(34, '\0');
  long_nick[33] = static_cast<char>(kMaxNickBytes + 1);
  expect_bad(decode_plain(long_nick + std::string(kMaxNickBytes + 1, 'n')), "nick");
  expect_bad(decode_plain(std::string(34, '\0') + std::string(kMaxBodyBytes + 1, 'b')), "body");
  // The minimal well-formed plaintext decodes, with big-endian integers.
  std::string minimal(34, '\0');
  minimal[8] = 1;     // seq = 1
  minimal[9] = 0x01;  // stamp = 0x0100000000000002
  minimal[16] = 2;
  auto ok = decode_plain(minimal);
  ASSERT_TRUE(ok) << ok.error().detail;
  EXPECT_EQ(ok->seq, 1u);
  EXPECT_EQ(ok->stamp, 0x0100000000000002ULL);
  EXPECT_EQ(ok->writer, writer);
  EXPECT_TRUE(ok->nick.empty());
  EXPECT_TRUE(ok->body.empty());
}

TEST(Record, FrameRecords) {
  EXPECT_EQ(frame_records({}), "\n");
  EXPECT_EQ(frame_records({"a"}), "\na\n");
  EXPECT_EQ(frame_records({"r1", "r2", "r3"}), "\nr1\nr2\nr3\n");
}

// A writer died mid-append; its next append starts with '\n', so only the torn record is lost.
TEST(Record, TornAppendCostsOnlyTheTornRecord) {
  auto c = key_cipher('k');
  const Id128 room = id_of(0x11);
  std::vector<std::string> lines;
  for (std::uint64_t seq = 1; seq <= 3; ++seq) {
    Message m = sample();
    m.seq = seq;
    lines.push_back(*encode_record(*c, room, m));
  }
  const std::string file =
      frame_records({lines[0]}) + lines[1].substr(0, 30) + frame_records({lines[2]});
  LineSplitter splitter;
  auto got = splitter.feed(file);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(decode_record(*c, room, sample().writer, got[0])->seq, 1u);
  EXPECT_FALSE(decode_record(*c, room, sample().writer, got[1]));
  EXPECT_EQ(decode_record(*c, room, sample().writer, got[2])->seq, 3u);
}

}  // namespace
}  // namespace ftpchat
