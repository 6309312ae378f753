// The public id text form (docs/FORMAT.md, "Public id"): "ftpchat1" + base64url of the key and
// a 4-byte BLAKE2b check, 56 characters, and the 8-character fingerprint shown beside names.
#pragma once

#include <string>
#include <string_view>

#include "ftpchat/core/error.hpp"
#include "ftpchat/identity/identity.hpp"

namespace ftpchat {

constexpr std::string_view kPublicIdPrefix = "ftpchat1";
constexpr std::size_t kPublicIdChars = 56;

std::string format_public_id(const PublicKey& key);

// invalid_argument with a sentence that names what is wrong (prefix, length, characters,
// check, not a key). Whitespace around the id is the caller's to strip.
Result<PublicKey> parse_public_id(std::string_view text);

// The 8 characters after "ftpchat1": 48 bits, to tell names apart on screen, not to verify.
std::string fingerprint(const PublicKey& key);

}  // namespace ftpchat
