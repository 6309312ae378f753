// Passphrase -> master key (Argon2id) and master -> subkeys (BLAKE2b-based crypto_kdf),
// with the limit checks that keep a hostile room header from exhausting memory or CPU.
#include "ftpchat/cipher/kdf.hpp"

#include <sodium.h>

#include <algorithm>
#include <string>

namespace ftpchat {

namespace {
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "ftpchatr";
static_assert(sizeof kKdfContext - 1 == crypto_kdf_CONTEXTBYTES);
}  // namespace

KdfParams default_kdf_params() {
  KdfParams params;
  params.opslimit = crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE;
  params.memlimit = crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE;
  randombytes_buf(params.salt.data(), params.salt.size());
  return params;
}

Result<void> validate_kdf_params(const KdfParams& params) {
  // Both the libsodium range and our own ceiling: the header is attacker-controlled input.
  const std::uint64_t ops_min = crypto_pwhash_argon2id_OPSLIMIT_MIN;
  const std::uint64_t ops_max =
      std::min<std::uint64_t>(crypto_pwhash_argon2id_OPSLIMIT_MAX, kMaxKdfOpslimit);
  const std::uint64_t mem_min = crypto_pwhash_argon2id_MEMLIMIT_MIN;
  const std::uint64_t mem_max =
      std::min<std::uint64_t>(crypto_pwhash_argon2id_MEMLIMIT_MAX, kMaxKdfMemlimit);
  if (params.opslimit < ops_min || params.opslimit > ops_max)
    return make_error(Errc::bad_data, "kdf ops=" + std::to_string(params.opslimit) +
                                          " is outside " + std::to_string(ops_min) + ".." +
                                          std::to_string(ops_max));
  if (params.memlimit < mem_min || params.memlimit > mem_max)
    return make_error(Errc::bad_data, "kdf mem=" + std::to_string(params.memlimit) +
                                          " is outside " + std::to_string(mem_min) + ".." +
                                          std::to_string(mem_max) + " bytes");
  return {};
}

Result<SecretBytes> derive_master_key(const SecretBytes& passphrase, const KdfParams& params) {
  if (auto valid = validate_kdf_params(params); !valid) return valid.error();
  SecretBytes master(crypto_kdf_KEYBYTES);
  // An empty SecretBytes has a null data pointer; libsodium wants a valid one even for 0 bytes.
  static constexpr char kNoPassphrase[1] = {0};
  const char* pass =
      passphrase.empty() ? kNoPassphrase : reinterpret_cast<const char*>(passphrase.data());
  if (crypto_pwhash(master.data(), master.size(), pass, passphrase.size(), params.salt.data(),
                    params.opslimit, static_cast<std::size_t>(params.memlimit),
                    crypto_pwhash_ALG_ARGON2ID13) != 0)
    return make_error(Errc::internal,
                      "argon2id could not allocate " + std::to_string(params.memlimit) + " bytes");
  return master;
}

SecretBytes derive_subkey(const SecretBytes& master, Subkey id) {
  SecretBytes subkey(32);
  // Only fails for a wrong-sized master key, which is a programming error: the zero key
  // left behind then fails every authentication instead of silently working.
  if (master.size() == crypto_kdf_KEYBYTES)
    crypto_kdf_derive_from_key(subkey.data(), subkey.size(), static_cast<std::uint64_t>(id),
                               kKdfContext, master.data());
  return subkey;
}

}  // namespace ftpchat
