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
  if (auto it = keys.find("unread"); it != keys.end()) {
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), n);
    if (ec == std::errc() && end == it->second.data() + it->second.size()) s.unread = n;
  }
  if (auto it = keys.find("nick"); it != keys.end()) s.nick = it->second;
  for (int n = 1;; ++n) {
    auto it = keys.find("sent " + std::to_string(n));
    if (it == keys.end()) break;
    if (auto sent = parse_sent(it->second)) s.sent.push_back(std::move(*sent));
  }
  return s;
}

namespace {
constexpr std::string_view kCut = "\u2026";  // "…": the text was cut short

std::optional<std::size_t> number(std::string_view text) {
  std::size_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}
}  // namespace

std::optional<SentStatus> parse_sent(std::string_view value) {
  SentStatus s;
  const std::size_t space = value.find(' ');
  const std::size_t sep = value.find(": ");
  if (space == std::string_view::npos || sep == std::string_view::npos || sep < space)
    return std::nullopt;
  s.time = std::string(value.substr(0, space));
  const std::string_view state = value.substr(space + 1, sep - space - 1);
  s.text = std::string(value.substr(sep + 2));
  if (state == "queued") {
    s.state = DeliveryState::pending;
  } else if (state == "on server") {
    s.state = DeliveryState::on_server;
  } else if (state.starts_with("read by ")) {
    s.state = DeliveryState::read;
    std::string_view rest = state.substr(8);
    const std::size_t paren = rest.find(" (");
    auto count = number(rest.substr(0, paren));
    if (!count) return std::nullopt;
    s.read_count = *count;
    if (paren != std::string_view::npos) {
      if (!rest.ends_with(')')) return std::nullopt;
      std::string_view names = rest.substr(paren + 2, rest.size() - paren - 3);
      while (!names.empty()) {
        const std::size_t comma = names.find(", ");
        s.read_by.emplace_back(names.substr(0, comma));
        names.remove_prefix(comma == std::string_view::npos ? names.size() : comma + 2);
      }
    }
  } else {
    return std::nullopt;
  }
  return s;
}

bool sent_text_matches(std::string_view body, std::string_view text) {
  if (body == text) return true;
  return text.ends_with(kCut) && body.starts_with(text.substr(0, text.size() - kCut.size()));
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
