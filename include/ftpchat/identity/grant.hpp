// Epochs and key grants (docs/FORMAT.md, "Epochs", "Key grants"): an epoch key, its id and
// subkeys; a grant wraps the key for each recipient (X25519 from their Ed25519 key, one
// ephemeral key per grant, no recipient tags) and carries the parents' keys as sealed links.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ftpchat/cipher/record_cipher.hpp"
#include "ftpchat/core/bytes.hpp"
#include "ftpchat/core/error.hpp"
#include "ftpchat/core/secret.hpp"
#include "ftpchat/identity/identity.hpp"

namespace ftpchat {

using EpochId = Id128;

constexpr std::size_t kMaxGrantSlots = 1000;
constexpr std::size_t kMaxGrantLinks = 16;
constexpr std::size_t kMaxGrantFileBytes = 98304;

enum class EpochSubkey : std::uint64_t { records = 1, links = 2, genesis = 3 };

struct EpochKey {
  EpochId id{};
  SecretBytes key;  // 32 bytes
  EpochKey clone() const { return EpochKey{id, key.clone()}; }
};

EpochId epoch_id_of(const SecretBytes& key);
SecretBytes epoch_subkey(const SecretBytes& key, EpochSubkey n);
EpochKey random_epoch_key();
EpochKey epoch_key_from(SecretBytes key);

struct Grant {
  EpochId epoch{};
  X25519Key ephemeral{};
  std::string slots;         // slot_count * 48 bytes
  std::string links_sealed;  // nonce (24) || AEAD(links)
  std::size_t slot_count() const { return slots.size() / 48; }
};

// A grant with the slots in random order and a fresh ephemeral key. invalid_argument for no
// recipients, too many, a key that is not a valid Ed25519 public key, or too many parents.
Result<std::string> make_grant(const Id128& room_id, const EpochKey& epoch,
                               const std::vector<PublicKey>& recipients,
                               const std::vector<EpochKey>& parents);
// The same with the slots in the given order and chosen randomness: known-answer tests only.
Result<std::string> make_grant_with(const Id128& room_id, const EpochKey& epoch,
                                    const std::vector<PublicKey>& recipients,
                                    const std::vector<EpochKey>& parents,
                                    const SecretBytes& ephemeral_secret, const Nonce& links_nonce);

// bad_data when the bytes break the grant rules.
Result<Grant> parse_grant(std::string_view binary);
// A grant file: b64(grant) LF, named by its epoch (bad_data when the content disagrees).
Result<Grant> parse_grant_file(std::string_view text, const EpochId& named);
std::string format_grant_file(std::string_view grant);

// The epoch key when a slot opens for this X25519 secret (Identity::x25519_secret()) and the
// key matches the grant's epoch id; nullopt when no slot is ours.
std::optional<EpochKey> open_grant(const Grant& grant, const Id128& room_id,
                                   const SecretBytes& x25519_secret);
// The parents' keys, each checked against its id; bad_data when they do not open or check.
Result<std::vector<EpochKey>> open_links(const Grant& grant, const Id128& room_id,
                                         const EpochKey& epoch);

}  // namespace ftpchat
