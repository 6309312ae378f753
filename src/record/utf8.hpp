// Internal to the record module: strict UTF-8 decoding and the code points that renderers
// must never pass through raw (shared by the log and the JSON renderers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ftpchat {

// Length of the valid UTF-8 sequence starting at text[0], or 0 if it is not one
// (stray continuation, overlong form, surrogate, above U+10FFFF, truncated).
inline std::size_t utf8_sequence_length(std::string_view text, char32_t& code_point) {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
  const std::uint8_t lead = byte(0);
  std::size_t length = 0;
  std::uint8_t second_min = 0x80, second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code_point = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code_point = lead & 0x0F;
    if (lead == 0xE0) second_min = 0xA0;  // overlong
    if (lead == 0xED) second_max = 0x9F;  // UTF-16 surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code_point = lead & 0x07;
    if (lead == 0xF0) second_min = 0x90;  // overlong
    if (lead == 0xF4) second_max = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  if (byte(1) < second_min || byte(1) > second_max) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(i) & 0x3F);
  }
  return length;
}

inline bool is_escaped_code_point(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) ||                  // C1 controls (CSI, OSC, ...)
         (cp >= 0x202A && cp <= 0x202E) ||              // bidi embeddings and overrides
         (cp >= 0x2066 && cp <= 0x2069) ||              // bidi isolates
         cp == 0x200E || cp == 0x200F || cp == 0x061C;  // bidi marks
}

}  // namespace ftpchat
