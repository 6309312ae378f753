// Nick colours and mention detection (see nick_style.hpp).
#include "nick_style.hpp"

namespace ftpchat::chat {

namespace {
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool word_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '-';
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}
}  // namespace

std::uint32_t nick_hash(std::string_view nick) {
  std::uint32_t h = 2166136261u;
  for (char c : nick) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

std::size_t nick_colour_index(std::string_view nick, std::size_t palette_size) {
  return palette_size == 0 ? 0 : nick_hash(nick) % palette_size;
}

std::vector<Range> find_mentions(std::string_view text, std::string_view nick) {
  std::vector<Range> found;
  if (nick.empty() || text.size() < nick.size()) return found;
  for (std::size_t i = 0; i + nick.size() <= text.size(); ++i) {
    if (i > 0 && word_char(text[i - 1])) continue;
    const std::size_t end = i + nick.size();
    if (end < text.size() && word_char(text[end])) continue;
    if (!equal_ignoring_case(text.substr(i, nick.size()), nick)) continue;
    found.push_back(Range{i, end});
    i = end - 1;
  }
  return found;
}

}  // namespace ftpchat::chat
