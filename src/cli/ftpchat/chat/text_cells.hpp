// Terminal cells of UTF-8 text: how wide each character is on screen (wcwidth under the
// user's locale), so that wrapping, the input line and the status line never split a
// character or misplace the cursor. Invalid bytes count as one cell each (ROOM/log never
// holds any: the mount escapes them).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ftpchat::chat {

// Next character of `text` at byte `pos`: its code point and byte length (1 for an invalid
// byte, whose code point is then U+FFFD).
struct Utf8Char {
  char32_t code_point;
  std::size_t length;
};
Utf8Char next_char(std::string_view text, std::size_t pos);

// Cells a code point takes: 0 (combining marks), 1 or 2 (wide CJK, most emoji). Control
// characters and code points wcwidth does not know take 1.
int cell_width(char32_t code_point);

int display_width(std::string_view utf8);
int display_width(std::wstring_view text);

// The longest prefix of `utf8` that fits in `cells` columns, in bytes.
std::size_t fit_prefix(std::string_view utf8, int cells);

std::string to_utf8(std::wstring_view text);
std::wstring from_utf8(std::string_view utf8);

}  // namespace ftpchat::chat
