// Internal to the cipher module: suite 2, the seed's 24-layer keyed substitution (insecure,
// for fidelity only), built by make_record_cipher.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "ftpchat/cipher/record_cipher.hpp"

namespace ftpchat {

using ByteTable = std::array<std::uint8_t, 256>;

// The 24 layers composed into one table (encryption) as docs/FORMAT.md, "mono24", defines it.
// key: the 32-byte records subkey.
ByteTable mono24_table(const SecretBytes& key);

// nullptr when the key is not 32 bytes long.
std::unique_ptr<RecordCipher> make_mono24_cipher(SecretBytes key);

}  // namespace ftpchat
