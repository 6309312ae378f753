// UTF-8 decoding and cell widths for the terminal client (see text_cells.hpp).
#include "text_cells.hpp"

#include <cwchar>

#include "record/utf8.hpp"  // the strict decoder the log renderer uses

namespace ftpchat::chat {

Utf8Char next_char(std::string_view text, std::size_t pos) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  if (lead < 0x80) return {lead, 1};
  char32_t cp = 0;
  const std::size_t length = utf8_sequence_length(text.substr(pos), cp);
  return length == 0 ? Utf8Char{0xFFFD, 1} : Utf8Char{cp, length};
}

int cell_width(char32_t code_point) {
  if (code_point < 0x20 || code_point == 0x7F) return 1;
  const int w = ::wcwidth(static_cast<wchar_t>(code_point));
  return w < 0 ? 1 : w;
}

int display_width(std::string_view utf8) {
  int cells = 0;
  for (std::size_t pos = 0; pos < utf8.size();) {
    const Utf8Char c = next_char(utf8, pos);
    cells += cell_width(c.code_point);
    pos += c.length;
  }
  return cells;
}

int display_width(std::wstring_view text) {
  int cells = 0;
  for (wchar_t c : text) cells += cell_width(static_cast<char32_t>(c));
  return cells;
}

std::size_t fit_prefix(std::string_view utf8, int cells) {
  std::size_t pos = 0;
  while (pos < utf8.size()) {
    const Utf8Char c = next_char(utf8, pos);
    const int w = cell_width(c.code_point);
    if (w > cells) break;
    cells -= w;
    pos += c.length;
  }
  return pos;
}

std::string to_utf8(std::wstring_view text) {
  std::string out;
  out.reserve(text.size());
  for (wchar_t wc : text) {
    auto cp = static_cast<char32_t>(wc);
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

std::wstring from_utf8(std::string_view utf8) {
  std::wstring out;
  out.reserve(utf8.size());
  for (std::size_t pos = 0; pos < utf8.size();) {
    const Utf8Char c = next_char(utf8, pos);
    out += static_cast<wchar_t>(c.code_point);
    pos += c.length;
  }
  return out;
}

}  // namespace ftpchat::chat
