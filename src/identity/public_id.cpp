// Public ids: base64url (libsodium) of pk || first 4 bytes of BLAKE2b-256("ftpchatfs public id"
// || pk), behind a fixed prefix. The strict base64 decoder makes every id canonical.
#include "ftpchat/identity/public_id.hpp"

#include <sodium.h>

#include "ftpchat/core/bytes.hpp"

namespace ftpchat {

namespace {

constexpr std::string_view kCheckContext = "ftpchatfs public id";
constexpr std::size_t kCheckBytes = 4;

std::string check_of(const PublicKey& key) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, crypto_generichash_BYTES);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(kCheckContext.data()),
                            kCheckContext.size());
  crypto_generichash_update(&state, key.data(), key.size());
  std::string digest(crypto_generichash_BYTES, '\0');
  crypto_generichash_final(&state, reinterpret_cast<unsigned char*>(digest.data()), digest.size());
  return digest.substr(0, kCheckBytes);
}

Error bad(std::string detail) { return make_error(Errc::invalid_argument, std::move(detail)); }

}  // namespace

std::string format_public_id(const PublicKey& key) {
  return std::string(kPublicIdPrefix) + to_base64(std::string(key_chars(key)) + check_of(key));
}

Result<PublicKey> parse_public_id(std::string_view text) {
  if (!text.starts_with(kPublicIdPrefix))
    return bad("not an ftpchat public id: it should start with " + std::string(kPublicIdPrefix));
  if (text.size() != kPublicIdChars)
    return bad("the public id has " + std::to_string(text.size()) + " characters instead of " +
               std::to_string(kPublicIdChars) + " (cut off, or run together with other text?)");
  auto raw = from_base64(text.substr(kPublicIdPrefix.size()));
  if (!raw || raw->size() != 32 + kCheckBytes)
    return bad("the public id has characters other than A-Z a-z 0-9 - _ after ftpchat1");
  PublicKey key{};
  std::copy(raw->begin(), raw->begin() + 32, key.begin());
  if (sodium_memcmp(raw->data() + 32, check_of(key).data(), kCheckBytes) != 0)
    return bad("the public id's check does not match (a character was mistyped or changed)");
  if (!x25519_public_of(key)) return bad("the public id does not hold a valid Ed25519 key");
  return key;
}

std::string fingerprint(const PublicKey& key) {
  return format_public_id(key).substr(kPublicIdPrefix.size(), 8);
}

}  // namespace ftpchat
