// Reading ROOM/status (see room_status.hpp).
#include "room_status.hpp"

#include <fcntl.h>

#include <charconv>

#include "unique_fd.hpp"

namespace ftpchat::chat {

std::map<std::string, std::string> parse_status(std::string_view text) {
  std::map<std::string, std::string> keys;
  while (!text.empty()) {
    const std::size_t eol = std::min(text.find('\n'), text.size());
    const std::string_view line = text.substr(0, eol);
    text.remove_prefix(std::min(eol + 1, text.size()));
    const std::size_t sep = line.find(": ");
    if (sep == std::string_view::npos) continue;
    keys.emplace(std::string(line.substr(0, sep)), std::string(line.substr(sep + 2)));
  }
  return keys;
}

RoomStatus interpret_status(const std::map<std::string, std::string>& keys) {
  RoomStatus s;
  if (auto it = keys.find("messages pending"); it != keys.end())
    std::from_chars(it->second.data(), it->second.data() + it->second.size(), s.pending);
  if (auto it = keys.find("last error"); it != keys.end() && it->second != "none")
    s.last_error = it->second;
  if (auto it = keys.find("state"); it != keys.end()) s.state = it->second;
  return s;
}

std::optional<RoomStatus> read_room_status(const std::string& status_path) {
  UniqueFd fd(::open(status_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd.get(), buf, sizeof buf)) > 0;)
    text.append(buf, static_cast<std::size_t>(n));
  if (text.empty()) return std::nullopt;
  return interpret_status(parse_status(text));
}

}  // namespace ftpchat::chat
