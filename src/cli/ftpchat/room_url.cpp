// parse_room_url: the last path segment is the room, the rest is the base URL.
#include "room_url.hpp"

#include <optional>

namespace ftpchat {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

}  // namespace

Result<RoomUrl> parse_room_url(std::string_view text) {
  std::string_view t = text;
  if (t.ends_with('/')) t.remove_suffix(1);
  const std::size_t scheme_end = t.find("://");
  const std::size_t path_start =
      scheme_end == std::string_view::npos ? 0 : t.find('/', scheme_end + 3);
  const std::size_t slash = t.rfind('/');
  if (slash == std::string_view::npos || path_start == std::string_view::npos ||
      slash < path_start || slash + 1 >= t.size())
    return make_error(Errc::invalid_argument,
                      "the room URL names no room; write it as URL/ROOM, e.g. "
                      "ftp://host/chat/general");
  auto room = percent_decode(t.substr(slash + 1));
  if (!room) return make_error(Errc::invalid_argument, "the room name in the URL has a bad %-escape");
  auto base = parse_remote_url(t.substr(0, slash + 1));
  if (!base) return base.error();
  return RoomUrl{std::move(base.value()), std::move(*room)};
}

}  // namespace ftpchat
