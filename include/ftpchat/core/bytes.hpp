// Small byte helpers over libsodium: hex, base64 (URL-safe, unpadded), random ids.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ftpchat {

using Id128 = std::array<std::uint8_t, 16>;

std::string to_hex(std::string_view bytes);
std::string to_hex(const Id128& id);
std::optional<std::string> from_hex(std::string_view hex);
std::optional<Id128> id_from_hex(std::string_view hex);
std::string to_base64(std::string_view bytes);                  // URL-safe alphabet, no padding
std::optional<std::string> from_base64(std::string_view text);  // strict: rejects anything else
Id128 random_id();
std::string_view as_chars(const Id128& id);

}  // namespace ftpchat
