// Room header (docs/FORMAT.md, "Header"): the one parser for both versions (v2 fields in
// header_v2.cpp), v1 creation, and the key check that tells a wrong passphrase apart from a
// damaged room.
#include "ftpchat/record/header.hpp"

#include <sodium.h>

#include <array>
#include <string>
#include <vector>

#include "ftpchat/record/render.hpp"
#include "ftpchat/record/text_fields.hpp"
#include "header_v2.hpp"
#include "room_builder.hpp"

namespace ftpchat {

namespace {

constexpr std::string_view kMagicLine = "ftpchatfs-room v1";
constexpr std::string_view kMagicLineV2 = "ftpchatfs-room v2";
constexpr std::string_view kMagicPrefix = "ftpchatfs-room ";
constexpr std::string_view kNameAdPrefix = "ftpchatfs-room v1 name";
constexpr std::size_t kNonceBytes = std::tuple_size_v<Nonce>;
constexpr std::size_t kTagBytes = 16;
constexpr std::size_t kCheckBytes = 32;
// Lines 2..6 in order; line 1 is the magic line.
constexpr std::array<std::string_view, 5> kKeywords = {"suite", "kdf", "room", "name", "check"};

Error bad(std::string detail) { return make_error(Errc::bad_data, std::move(detail)); }

// The suites this build can open. Parsing refuses the others so no caller ends up holding a
// header it cannot use.
std::optional<Suite> implemented_suite(std::string_view name) {
  if (name == suite_name(Suite::xchacha20poly1305)) return Suite::xchacha20poly1305;
  if (name == suite_name(Suite::mono24_insecure)) return Suite::mono24_insecure;
  return std::nullopt;
}

std::string name_ad(const Id128& room_id) {
  return std::string(kNameAdPrefix) + std::string(as_chars(room_id));
}

std::string keyed_check(const SecretBytes& check_key, std::string_view signed_part) {
  std::string mac(kCheckBytes, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(mac.data()), mac.size(),
                     reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size(),
                     check_key.data(), check_key.size());
  return mac;
}

// The format version named by the first line: 1 or 2, else bad_data saying what it is.
Result<int> check_magic_line(std::string_view raw) {
  const std::string_view first = raw.substr(0, raw.find('\n'));
  if (first == kMagicLine) return 1;
  if (first == kMagicLineV2) return 2;
  if (!first.empty() && first.back() == '\r' &&
      (first.substr(0, first.size() - 1) == kMagicLine ||
       first.substr(0, first.size() - 1) == kMagicLineV2))
    return bad("header has CRLF line endings (was it transferred in ASCII mode?)");
  if (first.starts_with(kMagicPrefix))
    return bad("unsupported room format version " + quote_untrusted(first.substr(kMagicPrefix.size())));
  return bad("not an ftpchatfs room header");
}

}  // namespace

Result<void> validate_room_name(std::string_view name) {
  if (name.empty()) return make_error(Errc::invalid_argument, "room name is empty");
  if (name.size() > kMaxRoomNameBytes)
    return make_error(Errc::invalid_argument,
                      "room name is longer than " + std::to_string(kMaxRoomNameBytes) + " bytes");
  if (name == "." || name == "..")
    return make_error(Errc::invalid_argument, "room name cannot be '.' or '..'");
  if (name.find('/') != std::string_view::npos)
    return make_error(Errc::invalid_argument, "room name cannot contain '/'");
  // Everything escape_text would alter (controls, bidi overrides, invalid UTF-8) is refused,
  // and tab too: the name becomes a directory name that users type and scripts split.
  if (name.find('\t') != std::string_view::npos || escape_text(name) != name)
    return make_error(Errc::invalid_argument,
                      "room name must be UTF-8 text without control characters");
  return {};
}

Result<RoomHeader> parse_header(std::string_view raw) {
  if (raw.empty()) return bad("header is empty");
  if (raw.size() > kMaxHeaderV2Bytes)
    return bad("header is larger than " + std::to_string(kMaxHeaderV2Bytes) + " bytes");
  // The magic line first, so a newer version is reported as such whatever follows it.
  auto version = check_magic_line(raw);
  if (!version) return version.error();
  if (*version == 2) return parse_header_v2(raw);
  if (raw.size() > kMaxHeaderBytes)
    return bad("header is larger than " + std::to_string(kMaxHeaderBytes) + " bytes");
  auto values = parse_keyword_lines(raw, "header", kMagicLine.size(), kKeywords);
  if (!values) return values.error();

  RoomHeader header;
  auto suite = implemented_suite((*values)[0]);
  if (!suite) return bad("unsupported cipher suite " + quote_untrusted((*values)[0]));
  header.suite = *suite;

  auto kdf = parse_kdf_line((*values)[1]);
  if (!kdf) return kdf.error();
  header.kdf = *kdf;

  auto room_id = id_from_hex((*values)[2]);
  if (!room_id) return bad("room id is not 32 lowercase hex digits");
  header.room_id = *room_id;

  auto sealed_name = from_base64((*values)[3]);
  if (!sealed_name) return bad("sealed room name is not base64url");
  if (sealed_name->size() < kNonceBytes + kTagBytes + 1 ||
      sealed_name->size() > kNonceBytes + kTagBytes + kMaxRoomNameBytes)
    return bad("sealed room name has an impossible length");
  header.sealed_name = std::move(*sealed_name);

  auto check = from_base64((*values)[4]);
  if (!check || check->size() != kCheckBytes) return bad("key check is not 32 bytes of base64url");
  header.key_check = std::move(*check);

  header.raw = std::string(raw);
  return header;
}

Result<OpenedRoom> open_room(const RoomHeader& given, const SecretBytes& passphrase) {
  // The raw bytes are what the key check covers, so they, not the fields, are authoritative.
  auto parsed = parse_header(given.raw);
  if (!parsed) return parsed.error();
  const RoomHeader& header = *parsed;
  if (header.version != 1)
    return make_error(Errc::invalid_argument, "room " + to_hex(header.room_id) +
                                                  " is a member room: it opens with a member "
                                                  "identity, not a passphrase");

  auto master = derive_master_key(passphrase, header.kdf);
  if (!master) return master.error();

  const std::size_t check_line_bytes =
      std::string_view("check ").size() + to_base64(header.key_check).size() + 1;
  const std::string_view signed_part =
      std::string_view(header.raw).substr(0, header.raw.size() - check_line_bytes);
  const std::string expected =
      keyed_check(derive_subkey(*master, Subkey::header_check), signed_part);
  if (sodium_memcmp(expected.data(), header.key_check.data(), kCheckBytes) != 0)
    return make_error(Errc::wrong_passphrase,
                      "the passphrase does not open room " + to_hex(header.room_id));

  auto name_cipher =
      make_record_cipher(Suite::xchacha20poly1305, derive_subkey(*master, Subkey::room_name));
  if (!name_cipher) return make_error(Errc::internal, "no cipher for the room name");
  auto name = name_cipher->open(header.sealed_name, name_ad(header.room_id));
  if (!name) return bad("room name of " + to_hex(header.room_id) + " does not authenticate");
  if (!validate_room_name(*name))
    return bad("room name of " + to_hex(header.room_id) + " is invalid");

  auto cipher = make_record_cipher(header.suite, derive_subkey(*master, Subkey::records));
  if (!cipher) return bad(std::string("unsupported cipher suite ") + suite_name(header.suite));
  return OpenedRoom{header, std::move(*name), std::move(cipher)};
}

Result<OpenedRoom> create_room_with(std::string_view name, const SecretBytes& passphrase,
                                    Suite suite, const KdfParams& kdf, const Id128& room_id,
                                    const Nonce& name_nonce) {
  if (auto valid = validate_room_name(name); !valid) return valid.error();
  if (!implemented_suite(suite_name(suite)))
    return make_error(Errc::invalid_argument,
                      std::string("cipher suite ") + suite_name(suite) + " is not available");
  if (auto valid = validate_kdf_params(kdf); !valid)
    return make_error(Errc::invalid_argument, valid.error().detail);
  auto master = derive_master_key(passphrase, kdf);
  if (!master) return master.error();

  auto name_cipher =
      make_record_cipher(Suite::xchacha20poly1305, derive_subkey(*master, Subkey::room_name));
  if (!name_cipher) return make_error(Errc::internal, "no cipher for the room name");

  RoomHeader header;
  header.suite = suite;
  header.kdf = kdf;
  header.room_id = room_id;
  header.sealed_name = name_cipher->seal_with_nonce(name, name_ad(room_id), name_nonce);
  std::string text;
  text += std::string(kMagicLine) + "\n";
  text += std::string("suite ") + suite_name(suite) + "\n";
  text += "kdf " + format_kdf_line(kdf) + "\n";
  text += "room " + to_hex(room_id) + "\n";
  text += "name " + to_base64(header.sealed_name) + "\n";
  header.key_check = keyed_check(derive_subkey(*master, Subkey::header_check), text);
  header.raw = text + "check " + to_base64(header.key_check) + "\n";

  auto cipher = make_record_cipher(suite, derive_subkey(*master, Subkey::records));
  if (!cipher) return make_error(Errc::internal, "no cipher for the records");
  return OpenedRoom{std::move(header), std::string(name), std::move(cipher)};
}

Result<OpenedRoom> create_room(std::string_view name, const SecretBytes& passphrase, Suite suite,
                               const KdfParams& kdf) {
  Nonce name_nonce{};
  randombytes_buf(name_nonce.data(), name_nonce.size());
  return create_room_with(name, passphrase, suite, kdf, random_id(), name_nonce);
}

}  // namespace ftpchat
