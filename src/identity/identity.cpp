// Identity: Ed25519 through libsodium's crypto_sign; the seed and secret key never leave
// guarded memory.
#include "ftpchat/identity/identity.hpp"

#include <sodium.h>

namespace ftpchat {

namespace {
const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
}  // namespace

Identity Identity::generate() {
  SecretBytes seed(crypto_sign_SEEDBYTES);
  randombytes_buf(seed.data(), seed.size());
  return std::move(from_seed(seed).value());
}

Result<Identity> Identity::from_seed(const SecretBytes& seed) {
  if (seed.size() != crypto_sign_SEEDBYTES)
    return make_error(Errc::invalid_argument, "an identity seed is 32 bytes");
  SecretBytes sk(crypto_sign_SECRETKEYBYTES);
  PublicKey pk{};
  crypto_sign_seed_keypair(pk.data(), sk.data(), seed.data());
  return Identity(seed.clone(), std::move(sk), pk);
}

Signature Identity::sign(std::string_view message) const {
  Signature sig{};
  crypto_sign_detached(sig.data(), nullptr, bytes_of(message), message.size(), sk_.data());
  return sig;
}

SecretBytes Identity::x25519_secret() const {
  SecretBytes out(crypto_scalarmult_curve25519_BYTES);
  crypto_sign_ed25519_sk_to_curve25519(out.data(), sk_.data());
  return out;
}

Identity Identity::clone() const { return Identity(seed_.clone(), sk_.clone(), pk_); }

bool verify_signature(const PublicKey& signer, std::string_view message, const Signature& sig) {
  return crypto_sign_verify_detached(sig.data(), bytes_of(message), message.size(),
                                     signer.data()) == 0;
}

std::optional<X25519Key> x25519_public_of(const PublicKey& key) {
  X25519Key out{};
  if (crypto_sign_ed25519_pk_to_curve25519(out.data(), key.data()) != 0) return std::nullopt;
  return out;
}

}  // namespace ftpchat
