// A personal identity (docs/FORMAT.md, "Identities"): an Ed25519 key pair kept as its 32-byte
// seed in guarded memory. It signs records and seals, and unwraps epoch keys through the
// X25519 key libsodium derives from it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ftpchat/core/error.hpp"
#include "ftpchat/core/secret.hpp"

namespace ftpchat {

using PublicKey = std::array<std::uint8_t, 32>;   // Ed25519
using X25519Key = std::array<std::uint8_t, 32>;
using Signature = std::array<std::uint8_t, 64>;

inline std::string_view key_chars(const PublicKey& key) {
  return {reinterpret_cast<const char*>(key.data()), key.size()};
}

class Identity {
 public:
  // A fresh key pair from libsodium's random generator.
  static Identity generate();
  // invalid_argument unless the seed is 32 bytes.
  static Result<Identity> from_seed(const SecretBytes& seed);

  const PublicKey& public_key() const { return pk_; }
  const SecretBytes& seed() const { return seed_; }
  Signature sign(std::string_view message) const;
  // The X25519 secret that opens grant slots wrapped for public_key() (32 bytes).
  SecretBytes x25519_secret() const;
  Identity clone() const;

 private:
  Identity(SecretBytes seed, SecretBytes secret_key, const PublicKey& pk)
      : seed_(std::move(seed)), sk_(std::move(secret_key)), pk_(pk) {}
  SecretBytes seed_;  // 32 bytes
  SecretBytes sk_;    // 64 bytes: seed || pk, libsodium's Ed25519 secret key
  PublicKey pk_{};
};

bool verify_signature(const PublicKey& signer, std::string_view message, const Signature& sig);

// The X25519 public key of an Ed25519 one; nullopt for keys that are not valid (not
// canonical, not on the curve, or of small order).
std::optional<X25519Key> x25519_public_of(const PublicKey& key);

}  // namespace ftpchat
