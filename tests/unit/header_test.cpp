// Room header v1: known answer, round trips, and every way a header can be refused.
#include "ftpchat/record/header.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include "../../src/record/room_builder.hpp"
#include "kat_v1.hpp"

namespace ftpchat {
namespace {

// The cheapest limits libsodium allows, so the many failure tests stay fast.
KdfParams fast_kdf() {
  KdfParams p;
  p.opslimit = crypto_pwhash_argon2id_OPSLIMIT_MIN;
  p.memlimit = crypto_pwhash_argon2id_MEMLIMIT_MIN;
  randombytes_buf(p.salt.data(), p.salt.size());
  return p;
}

const SecretBytes& pass() {
  static const SecretBytes p = SecretBytes::from("hunter2 hunter2");
  return p;
}

std::string make_raw(std::string_view name = "general") {
  auto room = create_room(name, pass(), Suite::xchacha20poly1305, fast_kdf());
  EXPECT_TRUE(room) << room.error().detail;
  return room->header.raw;
}

// Replaces the first occurrence of `from` in raw with `to`.
std::string edited(std::string raw, std::string_view from, std::string_view to) {
  const auto at = raw.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return raw.replace(at, from.size(), to);
}

void expect_bad(std::string_view raw, std::string_view detail_part) {
  auto parsed = parse_header(raw);
  ASSERT_FALSE(parsed) << "accepted: " << raw;
  EXPECT_EQ(parsed.error().code, Errc::bad_data);
  EXPECT_NE(parsed.error().detail.find(detail_part), std::string::npos)
      << "detail: " << parsed.error().detail;
}

TEST(Header, ReproducesKnownAnswer) {
  const auto kat = test::load_kat();
  const Id128 room_id = kat.id("room_id_hex");
  Nonce nonce{};
  const std::string nonce_bytes = kat.bytes("name_nonce_hex");
  std::copy(nonce_bytes.begin(), nonce_bytes.end(), nonce.begin());
  const auto passphrase = SecretBytes::from(kat.bytes("passphrase_hex"));
  auto room = create_room_with(kat.bytes("room_name_hex"), passphrase, Suite::xchacha20poly1305,
                               kat.kdf(), room_id, nonce);
  ASSERT_TRUE(room) << room.error().detail;
  EXPECT_EQ(room->header.raw, kat.header);
  EXPECT_EQ(room->name, kat.bytes("room_name_hex"));
}

TEST(Header, ParsesAndOpensKnownAnswer) {
  const auto kat = test::load_kat();
  auto header = parse_header(kat.header);
  ASSERT_TRUE(header) << header.error().detail;
  EXPECT_EQ(header->suite, Suite::xchacha20poly1305);
  EXPECT_EQ(header->kdf.opslimit, 2u);
  EXPECT_EQ(header->kdf.memlimit, 8388608u);
  EXPECT_EQ(header->kdf.salt, kat.kdf().salt);
  EXPECT_EQ(header->room_id, kat.id("room_id_hex"));
  EXPECT_EQ(header->sealed_name.substr(0, 24), kat.bytes("name_nonce_hex"));
  EXPECT_EQ(header->key_check.size(), 32u);
  EXPECT_EQ(header->raw, kat.header);
  auto room = open_room(*header, SecretBytes::from(kat.bytes("passphrase_hex")));
  ASSERT_TRUE(room) << room.error().detail;
  EXPECT_EQ(room->name, "Café society ☕");
  ASSERT_NE(room->cipher, nullptr);
  EXPECT_EQ(room->cipher->suite(), Suite::xchacha20poly1305);
}

TEST(Header, CreateParseOpenRoundTrip) {
  const KdfParams kdf = fast_kdf();
  auto created = create_room("Café ☕ chat", pass(), Suite::xchacha20poly1305, kdf);
  ASSERT_TRUE(created) << created.error().detail;
  const std::string& raw = created->header.raw;
  EXPECT_TRUE(
      raw.starts_with("ftpchatfs-room v1\nsuite xchacha20poly1305\nkdf argon2id13 ops=1 "
                      "mem=8192 salt="));
  EXPECT_EQ(std::count(raw.begin(), raw.end(), '\n'), 6);
  EXPECT_NE(raw.find("room " + to_hex(created->header.room_id) + "\n"), std::string::npos);
  EXPECT_EQ(raw.find("Café"), std::string::npos) << "room name leaked in clear";

  auto parsed = parse_header(raw);
  ASSERT_TRUE(parsed) << parsed.error().detail;
  EXPECT_EQ(parsed->room_id, created->header.room_id);
  EXPECT_EQ(parsed->kdf.salt, kdf.salt);
  EXPECT_EQ(parsed->sealed_name, created->header.sealed_name);
  EXPECT_EQ(parsed->key_check, created->header.key_check);
  auto opened = open_room(*parsed, pass());
  ASSERT_TRUE(opened) << opened.error().detail;
  EXPECT_EQ(opened->name, "Café ☕ chat");

  // Both ciphers are the same key: what one seals the other opens.
  const std::string sealed = created->cipher->seal("x", "ad");
  EXPECT_EQ(*opened->cipher->open(sealed, "ad"), "x");
}

TEST(Header, RoomIdsAndNoncesAreRandom) {
  auto a = create_room("same", pass(), Suite::xchacha20poly1305, fast_kdf());
  auto b = create_room("same", pass(), Suite::xchacha20poly1305, fast_kdf());
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->header.room_id, b->header.room_id);
  EXPECT_NE(a->header.sealed_name.substr(0, 24), b->header.sealed_name.substr(0, 24));
}

TEST(Header, WrongPassphraseIsReportedAsSuch) {
  auto created = create_room("general", pass(), Suite::xchacha20poly1305, fast_kdf());
  ASSERT_TRUE(created);
  auto opened = open_room(created->header, SecretBytes::from("hunter3 hunter3"));
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, Errc::wrong_passphrase);
  EXPECT_EQ(opened.error().detail,
            "the passphrase does not open room " + to_hex(created->header.room_id));
}

TEST(Header, RawBytesAreAuthoritativeOverFields) {
  auto created = create_room("general", pass(), Suite::xchacha20poly1305, fast_kdf());
  ASSERT_TRUE(created);
  RoomHeader tampered = created->header;
  tampered.room_id.fill(0);
  tampered.sealed_name = "junk";
  auto opened = open_room(tampered, pass());
  ASSERT_TRUE(opened) << opened.error().detail;
  EXPECT_EQ(opened->header.room_id, created->header.room_id);
  EXPECT_EQ(opened->name, "general");
}

TEST(Header, EveryTruncationIsBadData) {
  const std::string raw = make_raw();
  for (std::size_t len = 0; len < raw.size(); ++len) {
    auto parsed = parse_header(raw.substr(0, len));
    ASSERT_FALSE(parsed) << "accepted a header cut at " << len;
    EXPECT_EQ(parsed.error().code, Errc::bad_data);
  }
  expect_bad(raw.substr(0, raw.size() - 1), "truncated in the check line");
  expect_bad(raw.substr(0, raw.find("\nroom ") + 1), "truncated before the room line");
  expect_bad("", "header is empty");
}

// A flipped bit anywhere must be caught: by the parser, or by the key check (which cannot tell
// damage from a wrong passphrase), or by the name's own authentication. Never accepted.
TEST(Header, EveryFlippedBitIsRefused) {
  const std::string raw = make_raw();
  for (std::size_t i = 0; i < raw.size(); ++i) {
    for (int bit : {0, 5}) {  // 0 changes digits and letters, 5 changes case
      std::string bad = raw;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      auto parsed = parse_header(bad);
      if (!parsed) {
        EXPECT_EQ(parsed.error().code, Errc::bad_data);
        continue;
      }
      auto opened = open_room(*parsed, pass());
      ASSERT_FALSE(opened) << "accepted a header with byte " << i << " bit " << bit << " flipped";
      EXPECT_TRUE(opened.error().code == Errc::wrong_passphrase ||
                  opened.error().code == Errc::bad_data);
    }
  }
}

TEST(Header, OtherFormatVersionsAndGarbage) {
  const std::string raw = make_raw();
  expect_bad(edited(raw, "ftpchatfs-room v1", "ftpchatfs-room v3"),
             "unsupported room format version 'v3'");
  expect_bad("ftpchatfs-room v3\nwhatever comes next\n", "unsupported room format version");
  // A v1 body under a v2 first line is read as a (broken) member room header.
  expect_bad(edited(raw, "ftpchatfs-room v1", "ftpchatfs-room v2"), "should be the room line");
  expect_bad("hello world\n", "not an ftpchatfs room header");
  expect_bad(std::string("\0\x01\xff", 3), "not an ftpchatfs room header");
  expect_bad("ftpchatfs-room v1", "truncated in its first line");
  expect_bad(raw + std::string(kMaxHeaderBytes, '\n'), "larger than 4096 bytes");
  expect_bad(std::string(kMaxHeaderV2Bytes + 1, 'a'), "larger than 65536 bytes");
}

TEST(Header, CrlfLineEndingsAreNamed) {
  std::string raw = make_raw();
  std::string crlf;
  for (char c : raw) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  expect_bad(crlf, "CRLF");
}

TEST(Header, StructureMustBeExact) {
  const std::string raw = make_raw();
  expect_bad(raw + "extra\n", "unexpected content after the check line");
  expect_bad(raw + "\n", "unexpected content after the check line");
  expect_bad(edited(raw, "\nroom ", "\n\nroom "), "should be the room line");
  expect_bad(edited(raw, "suite ", "Suite "), "should be the suite line");
  expect_bad(edited(raw, "\nroom ", "\nroom  "), "room id is not 32 lowercase hex");
  // Swap the room and name lines.
  const auto room_at = raw.find("\nroom ") + 1;
  const auto name_at = raw.find("\nname ") + 1;
  const auto check_at = raw.find("\ncheck ") + 1;
  const std::string swapped = raw.substr(0, room_at) + raw.substr(name_at, check_at - name_at) +
                              raw.substr(room_at, name_at - room_at) + raw.substr(check_at);
  expect_bad(swapped, "should be the room line");
}

TEST(Header, UnknownSuitesAreUnsupported) {
  const std::string raw = make_raw();
  expect_bad(edited(raw, "suite xchacha20poly1305", "suite aes256gcm"),
             "unsupported cipher suite 'aes256gcm'");
  // mono24 parses (the key check then fails, since it covers the suite line).
  auto mono = parse_header(edited(raw, "suite xchacha20poly1305", "suite mono24"));
  ASSERT_TRUE(mono);
  EXPECT_EQ(mono->suite, Suite::mono24_insecure);
  // Untrusted text in the detail is escaped.
  auto parsed = parse_header(edited(raw, "suite xchacha20poly1305", "suite \x1b[2J"));
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().detail.find('\x1b'), std::string::npos);
  EXPECT_NE(parsed.error().detail.find("^[[2J"), std::string::npos);
}

TEST(Header, KdfLineIsStrict) {
  const std::string raw = make_raw();
  expect_bad(edited(raw, "argon2id13", "scrypt"), "unsupported kdf 'scrypt'");
  expect_bad(edited(raw, "ops=1 ", "ops=17 "), "kdf ops=17 is outside");
  expect_bad(edited(raw, "ops=1 ", "ops=0 "), "kdf ops=0 is outside");
  expect_bad(edited(raw, "mem=8192 ", "mem=2147483648 "), "kdf mem=2147483648 is outside");
  expect_bad(edited(raw, "mem=8192 ", "mem=1024 "), "kdf mem=1024 is outside");
  expect_bad(edited(raw, "ops=1 ", "ops=01 "), "not canonical decimal");
  expect_bad(edited(raw, "ops=1 ", "ops=+1 "), "not canonical decimal");
  expect_bad(edited(raw, "ops=1 ", "ops= "), "not canonical decimal");
  expect_bad(edited(raw, "mem=8192 ", "mem=99999999999999999999999 "), "not canonical decimal");
  expect_bad(edited(raw, "ops=1 ", "ops=1  "), "malformed kdf line");
  expect_bad(edited(raw, "ops=1 ", "passes=1 "), "malformed kdf line");
  expect_bad(edited(raw, " salt=", " pepper="), "malformed kdf line");
  expect_bad(edited(raw, " salt=", " salt=AA"), "salt is not 16 bytes");
}

TEST(Header, FieldEncodingsAreStrict) {
  auto created = create_room("general", pass(), Suite::xchacha20poly1305, fast_kdf());
  ASSERT_TRUE(created);
  const std::string raw = created->header.raw;
  const std::string hex = to_hex(created->header.room_id);
  std::string upper = hex;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper != hex) expect_bad(edited(raw, "room " + hex, "room " + upper), "room id");
  expect_bad(edited(raw, "room " + hex, "room " + hex.substr(2)), "room id");
  expect_bad(edited(raw, "name ", "name !"), "sealed room name is not base64url");
  const std::string name_b64 = to_base64(created->header.sealed_name);
  expect_bad(edited(raw, name_b64, to_base64(std::string(24 + 16, 'x'))), "impossible length");
  expect_bad(edited(raw, name_b64, to_base64(std::string(24 + 16 + 201, 'x'))),
             "impossible length");
  expect_bad(edited(raw, "check ", "check AAAA"), "key check is not 32 bytes");
}

TEST(Header, RoomNameValidation) {
  for (const std::string& ok :
       std::vector<std::string>{"general", "Café ☕", "...", "a b", std::string(200, 'n')})
    EXPECT_TRUE(validate_room_name(ok)) << ok;
  for (const std::string& bad :
       std::vector<std::string>{"", ".", "..", "a/b", "tab\there", "esc\x1b[31m", "nl\n", "\xff",
                                "bidi\xe2\x80\xae", "c1\xc2\x9b", std::string(201, 'n')}) {
    auto v = validate_room_name(bad);
    ASSERT_FALSE(v) << bad;
    EXPECT_EQ(v.error().code, Errc::invalid_argument);
  }
}

TEST(Header, CreateRefusesBadInput) {
  auto bad_name = create_room("a/b", pass(), Suite::xchacha20poly1305, fast_kdf());
  ASSERT_FALSE(bad_name);
  EXPECT_EQ(bad_name.error().code, Errc::invalid_argument);
  auto mono = create_room("x", pass(), Suite::mono24_insecure, fast_kdf());
  ASSERT_TRUE(mono);
  EXPECT_NE(mono->header.raw.find("\nsuite mono24\n"), std::string::npos);
  KdfParams huge = fast_kdf();
  huge.memlimit = std::uint64_t{4} << 30;
  auto big = create_room("x", pass(), Suite::xchacha20poly1305, huge);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace ftpchat
