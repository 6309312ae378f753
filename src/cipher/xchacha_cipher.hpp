// Internal to the cipher module: the XChaCha20-Poly1305 suite, built by make_record_cipher.
#pragma once

#include <memory>

#include "ftpchat/cipher/record_cipher.hpp"

namespace ftpchat {

// nullptr when the key is not crypto_aead_xchacha20poly1305_ietf_KEYBYTES long.
std::unique_ptr<RecordCipher> make_xchacha_cipher(SecretBytes key);

}  // namespace ftpchat
