// Hex, base64 and random ids, all through libsodium.
#include "ftpchat/core/bytes.hpp"

#include <sodium.h>

namespace ftpchat {

std::string to_hex(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                 bytes.size());
  out.pop_back();
  return out;
}

std::string_view as_chars(const Id128& id) {
  return {reinterpret_cast<const char*>(id.data()), id.size()};
}

std::string to_hex(const Id128& id) { return to_hex(as_chars(id)); }

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out(hex.size() / 2, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), hex.data(),
                     hex.size(), nullptr, &len, &end) != 0 ||
      end != hex.data() + hex.size() || len != out.size())
    return std::nullopt;
  return out;
}

std::optional<Id128> id_from_hex(std::string_view hex) {
  if (hex.size() != 32) return std::nullopt;
  for (char c : hex)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  auto bytes = from_hex(hex);
  if (!bytes) return std::nullopt;
  Id128 id{};
  std::copy(bytes->begin(), bytes->end(), id.begin());
  return id;
}

std::string to_base64(std::string_view bytes) {
  constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  out.resize(out.size() - 1);  // drop the terminating NUL
  return out;
}

std::optional<std::string> from_base64(std::string_view text) {
  // libsodium 1.0.18 decodes every byte from 0x80 up as '_': refuse them first, so that each
  // byte string keeps exactly one valid text form (docs/FORMAT.md, "Conventions").
  for (char c : text)
    if (static_cast<unsigned char>(c) >= 0x80) return std::nullopt;
  constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(text.size() * 3 / 4 + 1, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end, variant) != 0 ||
      end != text.data() + text.size())
    return std::nullopt;
  out.resize(len);
  return out;
}

Id128 random_id() {
  Id128 id{};
  randombytes_buf(id.data(), id.size());
  return id;
}

}  // namespace ftpchat
