// Passphrase -> room master key (Argon2id via crypto_pwhash) and per-purpose subkeys.
#pragma once

#include <array>
#include <cstdint>

#include "ftpchat/core/error.hpp"
#include "ftpchat/core/secret.hpp"

namespace ftpchat {

struct KdfParams {
  std::uint64_t opslimit = 0;
  std::uint64_t memlimit = 0;  // bytes
  std::array<std::uint8_t, 16> salt{};
};

// Ceilings on the Argon2id limits a header may ask for (format v1, docs/FORMAT.md).
constexpr std::uint64_t kMaxKdfOpslimit = 16;
constexpr std::uint64_t kMaxKdfMemlimit = std::uint64_t{1} << 30;  // 1 GiB

// Fresh random salt with libsodium's INTERACTIVE limits (the default for new rooms).
KdfParams default_kdf_params();

// bad_data unless the limits are within libsodium's range and the ceilings above.
Result<void> validate_kdf_params(const KdfParams& params);

// Limits outside what libsodium accepts, or above a sane ceiling (1 GiB / 16 passes), are
// rejected with bad_data so a hostile header cannot make a mount allocate without bound.
Result<SecretBytes> derive_master_key(const SecretBytes& passphrase, const KdfParams& params);

// Subkey ids used by format v1 (crypto_kdf_derive_from_key, context "ftpchatr").
enum class Subkey : std::uint64_t { records = 1, header_check = 2, room_name = 3 };
SecretBytes derive_subkey(const SecretBytes& master, Subkey id);

}  // namespace ftpchat
