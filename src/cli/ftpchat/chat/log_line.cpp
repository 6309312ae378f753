// parse_log_line and the /me convention (see log_line.hpp).
#include "log_line.hpp"

namespace ftpchat::chat {

namespace {
constexpr std::size_t kTimeWidth = 19;  // "2026-11-27 10:59:43"

bool looks_like_time(std::string_view t) {
  if (t.size() < kTimeWidth) return false;
  for (std::size_t i = 0; i < kTimeWidth; ++i) {
    const char c = t[i];
    const bool digit = c >= '0' && c <= '9';
    if (i == 4 || i == 7) {
      if (c != '-') return false;
    } else if (i == 10) {
      if (c != ' ') return false;
    } else if (i == 13 || i == 16) {
      if (c != ':') return false;
    } else if (!digit) {
      return false;
    }
  }
  return true;
}
}  // namespace

LogLine parse_log_line(std::string_view line) {
  LogLine parts;
  if (!looks_like_time(line) || line.size() < kTimeWidth + 2 || line[kTimeWidth] != ' ')
    return parts;
  parts.time_end = kTimeWidth;
  const std::string_view rest = line.substr(kTimeWidth + 1);
  if (rest.starts_with("-!- ")) {
    parts.kind = LineKind::notice;
    parts.body_begin = kTimeWidth + 1 + 4;
    return parts;
  }
  if (rest.starts_with("<")) {
    const std::size_t close = rest.find("> ", 1);
    if (close != std::string_view::npos) {
      parts.kind = LineKind::message;
      parts.nick_begin = kTimeWidth + 2;
      parts.nick_end = kTimeWidth + 1 + close;
      parts.body_begin = parts.nick_end + 2;
      return parts;
    }
  }
  parts.body_begin = kTimeWidth + 1;
  return parts;
}

std::string_view nick_of(std::string_view line, const LogLine& parts) {
  return line.substr(parts.nick_begin, parts.nick_end - parts.nick_begin);
}

std::string_view body_of(std::string_view line, const LogLine& parts) {
  return line.substr(parts.body_begin);
}

std::string action_body(std::string_view nick, std::string_view text) {
  return "* " + std::string(nick) + " " + std::string(text);
}

bool is_action(std::string_view nick, std::string_view body) {
  return !nick.empty() && body.size() > nick.size() + 2 && body.starts_with("* ") &&
         body.substr(2, nick.size()) == nick && body[2 + nick.size()] == ' ';
}

}  // namespace ftpchat::chat
