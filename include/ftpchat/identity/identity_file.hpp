// Identity files (docs/FORMAT.md, "Identity file"): three text lines holding the public id and
// the seed, plain or sealed with a passphrase (Argon2id + XChaCha20-Poly1305); read only when
// nobody but the owner can read or write them, written once with mode 0600.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "ftpchat/cipher/kdf.hpp"
#include "ftpchat/cipher/record_cipher.hpp"
#include "ftpchat/core/error.hpp"
#include "ftpchat/core/secret.hpp"
#include "ftpchat/identity/identity.hpp"

namespace ftpchat {

constexpr std::size_t kMaxIdentityFileBytes = 4096;

struct IdentityFile {
  PublicKey public_key{};
  bool sealed = false;
  SecretBytes seed;    // plain files: the 32-byte seed
  KdfParams kdf;       // sealed files
  std::string box;     // sealed files: nonce (24) || ciphertext and tag (48)
};

// The text of a file; bad_data naming the rule broken (no passphrase needed).
Result<IdentityFile> parse_identity_file(std::string_view text);

// The identity: plain files need no passphrase (pass nullptr); sealed ones need it
// (invalid_argument when none is given, wrong_passphrase when it does not open the box);
// bad_data when the seed does not give the public key of the file.
Result<Identity> open_identity_file(const IdentityFile& file, const SecretBytes* passphrase);

std::string format_identity_file(const Identity& id);
// Sealed with a fresh salt and nonce and the MODERATE Argon2id limits (or those given).
Result<std::string> format_sealed_identity_file(const Identity& id, const SecretBytes& passphrase);
Result<std::string> format_sealed_identity_file(const Identity& id, const SecretBytes& passphrase,
                                                const KdfParams& kdf, const Nonce& nonce);

// Reads a file after checking it is a regular file that gives group and others no access:
// permission ("has mode 0644; run chmod 600 FILE"), not_found, io, or bad_data (too large).
Result<std::string> read_identity_file(const std::filesystem::path& path);
// Creates the file (O_EXCL, mode 0600; its folder 0700 when made): exists when it is there.
Result<void> write_identity_file(const std::filesystem::path& path, std::string_view text);

}  // namespace ftpchat
