// Suite 1: XChaCha20-Poly1305 (IETF construction) from libsodium. The 24-byte nonce is
// random per record, which is safe at any volume a chat room will reach.
#include "xchacha_cipher.hpp"

#include <sodium.h>

#include <algorithm>
#include <tuple>
#include <utility>

namespace ftpchat {

namespace {

constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
static_assert(kNonceBytes == std::tuple_size_v<Nonce>);

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

class XChaChaCipher final : public RecordCipher {
 public:
  explicit XChaChaCipher(SecretBytes key) : key_(std::move(key)) {}

  Suite suite() const override { return Suite::xchacha20poly1305; }

  std::string seal_with_nonce(std::string_view plaintext, std::string_view ad,
                              const Nonce& nonce) const override {
    std::string out(kNonceBytes + plaintext.size() + kTagBytes, '\0');
    std::copy(nonce.begin(), nonce.end(), out.begin());
    unsigned long long ct_len = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        reinterpret_cast<unsigned char*>(out.data() + kNonceBytes), &ct_len, bytes_of(plaintext),
        plaintext.size(), bytes_of(ad), ad.size(), nullptr, nonce.data(), key_.data());
    out.resize(kNonceBytes + ct_len);
    return out;
  }

  std::optional<std::string> open(std::string_view sealed, std::string_view ad) const override {
    if (sealed.size() < kNonceBytes + kTagBytes) return std::nullopt;
    const auto* nonce = bytes_of(sealed);
    const std::string_view ct = sealed.substr(kNonceBytes);
    std::string plain(ct.size() - kTagBytes, '\0');
    unsigned long long plain_len = 0;
    // A zero-length output buffer may have a null data(); libsodium needs a real pointer.
    unsigned char scratch = 0;
    unsigned char* dst = plain.empty() ? &scratch : reinterpret_cast<unsigned char*>(plain.data());
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(dst, &plain_len, nullptr, bytes_of(ct),
                                                   ct.size(), bytes_of(ad), ad.size(), nonce,
                                                   key_.data()) != 0)
      return std::nullopt;
    plain.resize(plain_len);
    return plain;
  }

 private:
  SecretBytes key_;
};

}  // namespace

std::unique_ptr<RecordCipher> make_xchacha_cipher(SecretBytes key) {
  if (key.size() != crypto_aead_xchacha20poly1305_ietf_KEYBYTES) return nullptr;
  return std::make_unique<XChaChaCipher>(std::move(key));
}

}  // namespace ftpchat
