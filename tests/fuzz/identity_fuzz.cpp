// libFuzzer target: the identity layer's parsers on arbitrary bytes. Build with
// -DFTPCHAT_FUZZ=ON and clang; see docs/TESTING.md. Each input is used as:
//  1. an identity file: parsed; a plain one opens (or is refused as damaged) and then
//     formats back to the same text; a sealed one with cheap limits is tried with bob's
//     passphrase (it opens or is wrong_passphrase);
//  2. a public id: parsed; one that parses formats back to the same text;
//  3. a key grant (binary, and as a grant file): parsed; opened with each known-answer
//     identity; an opened grant's links open or are bad_data, each parent matching its id;
//  4. a genesis plaintext sealed under epoch 0's key: opened (rules, owner's signature).
#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ftpchat/core/wire.hpp"
#include "ftpchat/identity/genesis.hpp"
#include "ftpchat/identity/identity_file.hpp"
#include "ftpchat/identity/public_id.hpp"
#include "fuzz_keys.hpp"

namespace {

using namespace ftpchat;

struct Fixture {
  std::vector<Identity> people;
  Id128 room_id{};
  EpochKey epoch0;
  SecretBytes passphrase;
};

const Fixture& fixture() {
  static const Fixture f = [] {
    Fixture out;
    for (std::string_view seed : fuzz::kSeedHex)
      out.people.push_back(std::move(Identity::from_seed(SecretBytes::from(from_hex(seed).value())).value()));
    out.room_id = id_from_hex(fuzz::kRoomIdV2Hex).value();
    out.epoch0 = epoch_key_from(SecretBytes::from(from_hex(fuzz::kEpochKeyHex[0]).value()));
    out.passphrase = SecretBytes::from(fuzz::kIdentityPassphrase);
    return out;
  }();
  return f;
}

void as_identity_file(std::string_view text, const Fixture& f) {
  auto file = parse_identity_file(text);
  if (!file) {
    FUZZ_CHECK(file.error().code == Errc::bad_data);
    return;
  }
  if (file->sealed) {
    FUZZ_CHECK(file->box.size() == 72);
    if (file->kdf.opslimit > 2 || file->kdf.memlimit > (8u << 20)) return;
    auto id = open_identity_file(*file, &f.passphrase);
    if (!id) {
      const Errc code = id.error().code;
      FUZZ_CHECK(code == Errc::wrong_passphrase || code == Errc::bad_data);
      return;
    }
    FUZZ_CHECK(id->public_key() == file->public_key);
    return;
  }
  auto id = open_identity_file(*file, nullptr);
  if (!id) {
    FUZZ_CHECK(id.error().code == Errc::bad_data);
    return;
  }
  FUZZ_CHECK(id->public_key() == file->public_key);
  FUZZ_CHECK(format_identity_file(*id) == text);
}

void as_public_id(std::string_view text) {
  auto key = parse_public_id(text);
  if (!key) {
    FUZZ_CHECK(key.error().code == Errc::invalid_argument && !key.error().detail.empty());
    return;
  }
  FUZZ_CHECK(format_public_id(*key) == text);
  FUZZ_CHECK(fingerprint(*key).size() == 8);
}

void check_grant(const Grant& g, const Fixture& f) {
  FUZZ_CHECK(g.slot_count() >= 1 && g.slot_count() <= kMaxGrantSlots);
  for (const Identity& p : f.people) {
    auto key = open_grant(g, f.room_id, p.x25519_secret());
    if (!key) continue;
    FUZZ_CHECK(key->id == g.epoch && epoch_id_of(key->key) == g.epoch);
    auto links = open_links(g, f.room_id, *key);
    if (!links) {
      FUZZ_CHECK(links.error().code == Errc::bad_data);
      continue;
    }
    FUZZ_CHECK(links->size() <= kMaxGrantLinks);
    for (const EpochKey& parent : *links) FUZZ_CHECK(epoch_id_of(parent.key) == parent.id);
  }
}

void as_grant(std::string_view bytes, const Fixture& f) {
  auto g = parse_grant(bytes);
  if (!g) {
    FUZZ_CHECK(g.error().code == Errc::bad_data);
  } else {
    check_grant(*g, f);
    auto again = parse_grant_file(format_grant_file(bytes), g->epoch);
    FUZZ_CHECK(again.ok() || bytes.size() * 4 / 3 + 2 > kMaxGrantFileBytes);
  }
  // The input as a grant file's text, named by the epoch it holds (when it decodes at all).
  EpochId named{};
  if (auto binary = from_base64(bytes.substr(0, bytes.empty() ? 0 : bytes.size() - 1)))
    if (auto inner = parse_grant(*binary)) named = inner->epoch;
  auto file = parse_grant_file(bytes, named);
  if (file) {
    check_grant(*file, f);
  } else {
    FUZZ_CHECK(file.error().code == Errc::bad_data);
  }
}

void as_genesis_plaintext(std::string_view plain, const Fixture& f) {
  const std::string context = "ftpchatfs v2 genesis" + std::string(as_chars(f.room_id)) +
                              std::string(as_chars(f.epoch0.id));
  const SecretBytes key = epoch_subkey(f.epoch0.key, EpochSubkey::genesis);
  std::string sealed(24 + plain.size() + 16, '\0');  // nonce 0
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<unsigned char*>(sealed.data()) + 24, &len,
      reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
      reinterpret_cast<const unsigned char*>(context.data()), context.size(), nullptr,
      reinterpret_cast<const unsigned char*>(sealed.data()), key.data());
  auto g = open_genesis(sealed, f.room_id, f.epoch0);
  if (!g) {
    FUZZ_CHECK(g.error().code == Errc::bad_data);
    return;
  }
  FUZZ_CHECK(!g->members.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Fixture& f = fixture();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  as_identity_file(bytes, f);
  as_public_id(bytes);
  as_grant(bytes, f);
  as_genesis_plaintext(bytes, f);
  return 0;
}
