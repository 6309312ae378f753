// The cipher suites a room can use. Suite 1 (XChaCha20-Poly1305) is the default; suite 2,
// the seed's 24-layer mono-alphabetic substitution, is insecure and kept for fidelity only.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ftpchat/core/secret.hpp"

namespace ftpchat {

enum class Suite : std::uint8_t { xchacha20poly1305 = 1, mono24_insecure = 2 };

const char* suite_name(Suite suite);  // "xchacha20poly1305", "mono24"

using Nonce = std::array<std::uint8_t, 24>;

class RecordCipher {
 public:
  virtual ~RecordCipher() = default;
  virtual Suite suite() const = 0;
  // Returns nonce || ciphertext || tag with a fresh random nonce: seal_with_nonce's result.
  virtual std::string seal(std::string_view plaintext, std::string_view ad) const;
  // Same with a caller-chosen nonce: for known-answer tests only.
  virtual std::string seal_with_nonce(std::string_view plaintext, std::string_view ad,
                                      const Nonce& nonce) const = 0;
  // nullopt when the bytes do not authenticate under this key and associated data.
  virtual std::optional<std::string> open(std::string_view sealed, std::string_view ad) const = 0;
};

// key: the 32-byte records subkey. nullptr when the key has another size.
std::unique_ptr<RecordCipher> make_record_cipher(Suite suite, SecretBytes key);

}  // namespace ftpchat
