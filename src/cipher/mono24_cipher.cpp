// Suite 2, "mono24": FTPChat's cipher, kept so old habits can be demonstrated, never as a
// default. 24 keyed byte permutations are applied in sequence; they compose to ONE
// substitution, so frequency analysis reads the text without the key. The 16-byte check is an
// unkeyed BLAKE2b: it detects torn or garbled lines, not forgery (docs/FORMAT.md, "mono24").
#include "mono24_cipher.hpp"

#include <sodium.h>

#include <algorithm>
#include <utility>

namespace ftpchat {

namespace {

constexpr std::size_t kLayers = 24;
constexpr std::size_t kNonceBytes = std::tuple_size_v<Nonce>;
constexpr std::size_t kCheckBytes = 16;
constexpr char kLayerContext[crypto_kdf_CONTEXTBYTES + 1] = "ftpmono1";
static_assert(sizeof kLayerContext - 1 == crypto_kdf_CONTEXTBYTES);

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// One layer: Fisher-Yates over 0..255 driven by the ChaCha20 keystream of the layer key
// (zero nonce); draw j uses keystream bytes 4j..4j+3 as a little-endian u32, modulo.
ByteTable layer_permutation(const SecretBytes& layer_key) {
  std::array<unsigned char, 4 * 255> stream{};
  static constexpr unsigned char kZeroNonce[crypto_stream_chacha20_NONCEBYTES] = {};
  crypto_stream_chacha20(stream.data(), stream.size(), kZeroNonce, layer_key.data());
  ByteTable perm;
  for (std::size_t i = 0; i < perm.size(); ++i) perm[i] = static_cast<std::uint8_t>(i);
  std::size_t draw = 0;
  for (std::size_t i = 255; i >= 1; --i, ++draw) {
    const std::uint32_t r = std::uint32_t{stream[4 * draw]} |
                            (std::uint32_t{stream[4 * draw + 1]} << 8) |
                            (std::uint32_t{stream[4 * draw + 2]} << 16) |
                            (std::uint32_t{stream[4 * draw + 3]} << 24);
    std::swap(perm[i], perm[r % (i + 1)]);
  }
  sodium_memzero(stream.data(), stream.size());
  return perm;
}

std::string check_of(std::string_view ad, std::string_view nonce, std::string_view ciphertext) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, kCheckBytes);
  crypto_generichash_update(&state, bytes_of(ad), ad.size());
  crypto_generichash_update(&state, bytes_of(nonce), nonce.size());
  crypto_generichash_update(&state, bytes_of(ciphertext), ciphertext.size());
  std::string check(kCheckBytes, '\0');
  crypto_generichash_final(&state, reinterpret_cast<unsigned char*>(check.data()), check.size());
  return check;
}

class Mono24Cipher final : public RecordCipher {
 public:
  explicit Mono24Cipher(const SecretBytes& key) : forward_(mono24_table(key)) {
    for (std::size_t i = 0; i < forward_.size(); ++i)
      inverse_[forward_[i]] = static_cast<std::uint8_t>(i);
  }
  ~Mono24Cipher() override {
    sodium_memzero(forward_.data(), forward_.size());
    sodium_memzero(inverse_.data(), inverse_.size());
  }

  Suite suite() const override { return Suite::mono24_insecure; }

  std::string seal_with_nonce(std::string_view plaintext, std::string_view ad,
                              const Nonce& nonce) const override {
    const std::string_view nonce_text(reinterpret_cast<const char*>(nonce.data()), nonce.size());
    std::string ct(plaintext.size(), '\0');
    for (std::size_t i = 0; i < plaintext.size(); ++i)
      ct[i] = static_cast<char>(forward_[static_cast<std::uint8_t>(plaintext[i])]);
    return std::string(nonce_text) + ct + check_of(ad, nonce_text, ct);
  }

  std::optional<std::string> open(std::string_view sealed, std::string_view ad) const override {
    if (sealed.size() < kNonceBytes + kCheckBytes) return std::nullopt;
    const std::string_view nonce = sealed.substr(0, kNonceBytes);
    const std::string_view ct = sealed.substr(kNonceBytes, sealed.size() - kNonceBytes - kCheckBytes);
    const std::string expected = check_of(ad, nonce, ct);
    if (sodium_memcmp(expected.data(), sealed.data() + sealed.size() - kCheckBytes, kCheckBytes) != 0)
      return std::nullopt;
    std::string plain(ct.size(), '\0');
    for (std::size_t i = 0; i < ct.size(); ++i)
      plain[i] = static_cast<char>(inverse_[static_cast<std::uint8_t>(ct[i])]);
    return plain;
  }

 private:
  ByteTable forward_{};
  ByteTable inverse_{};
};

}  // namespace

ByteTable mono24_table(const SecretBytes& key) {
  ByteTable composed;
  for (std::size_t i = 0; i < composed.size(); ++i) composed[i] = static_cast<std::uint8_t>(i);
  for (std::size_t layer = 1; layer <= kLayers; ++layer) {
    SecretBytes layer_key(crypto_stream_chacha20_KEYBYTES);
    crypto_kdf_derive_from_key(layer_key.data(), layer_key.size(), layer, kLayerContext, key.data());
    const ByteTable perm = layer_permutation(layer_key);
    for (std::uint8_t& b : composed) b = perm[b];  // layer 1 is applied first
  }
  return composed;
}

std::unique_ptr<RecordCipher> make_mono24_cipher(SecretBytes key) {
  if (key.size() != crypto_kdf_KEYBYTES) return nullptr;
  return std::make_unique<Mono24Cipher>(key);
}

}  // namespace ftpchat
