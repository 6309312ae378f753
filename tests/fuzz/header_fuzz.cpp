// libFuzzer target: the room header parser and opener on arbitrary bytes (a hostile server can
// put anything in a header file). Build with -DFTPCHAT_FUZZ=ON and clang; see docs/TESTING.md.
// Invariants: a refusal is always bad_data (parse) or bad_data / wrong_passphrase (open);
// an accepted header keeps its exact bytes; a room that opens has a usable name. A member
// room (v2) header is opened with each known-answer identity: grant, then signed genesis.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ftpchat/core/secret.hpp"
#include "ftpchat/identity/genesis.hpp"
#include "ftpchat/record/header.hpp"
#include "fuzz_keys.hpp"

namespace {

using namespace ftpchat;

// Argon2id at the header's limits runs on every opened header: cap them at the known-answer
// vectors' (2 passes, 8 MiB) so one input costs milliseconds, not the 1 GiB a header may ask.
constexpr std::uint64_t kMaxFuzzOps = 2;
constexpr std::uint64_t kMaxFuzzMem = 8u << 20;

const SecretBytes& passphrase() {
  static const SecretBytes p = SecretBytes::from(fuzz::kPassphrase);
  return p;
}

void open_member_room(const RoomHeader& header) {
  auto grant = parse_grant(header.grant);
  if (!grant) {
    FUZZ_CHECK(grant.error().code == Errc::bad_data);
    return;
  }
  for (std::string_view seed : fuzz::kSeedHex) {
    auto id = Identity::from_seed(SecretBytes::from(from_hex(seed).value()));
    auto key = open_grant(*grant, header.room_id, id->x25519_secret());
    if (!key) continue;
    FUZZ_CHECK(key->id == grant->epoch && epoch_id_of(key->key) == key->id);
    auto genesis = open_genesis(header.sealed_genesis, header.room_id, *key);
    if (!genesis) {
      FUZZ_CHECK(genesis.error().code == Errc::bad_data);
      continue;
    }
    FUZZ_CHECK(!genesis->members.empty() && genesis->members.size() <= kMaxGenesisMembers);
    FUZZ_CHECK(validate_room_name(genesis->room_name).ok());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  auto header = parse_header(raw);
  if (!header) {
    FUZZ_CHECK(header.error().code == Errc::bad_data);
    FUZZ_CHECK(!header.error().detail.empty());
    return 0;
  }
  FUZZ_CHECK(header->raw == raw);
  if (header->version == 2) {
    FUZZ_CHECK(raw.size() <= kMaxHeaderV2Bytes);
    auto refused = open_room(header.value(), passphrase());
    FUZZ_CHECK(!refused && refused.error().code == Errc::invalid_argument);
    open_member_room(*header);
    return 0;
  }
  FUZZ_CHECK(raw.size() <= kMaxHeaderBytes);
  if (header->kdf.opslimit > kMaxFuzzOps || header->kdf.memlimit > kMaxFuzzMem) return 0;
  auto opened = open_room(header.value(), passphrase());
  if (!opened) {
    const Errc code = opened.error().code;
    FUZZ_CHECK(code == Errc::bad_data || code == Errc::wrong_passphrase);
    return 0;
  }
  FUZZ_CHECK(opened->cipher != nullptr);
  FUZZ_CHECK(opened->header.room_id == header->room_id);
  FUZZ_CHECK(opened->name.size() <= kMaxRoomNameBytes);
  (void)validate_room_name(opened->name);
  return 0;
}
