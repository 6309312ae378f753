// ROOM/log lines. Message text comes from other people, so everything that could act on a
// terminal (escape sequences, bidi overrides, invalid UTF-8) is made visible instead.
#include "ftpchat/record/render.hpp"

#include <cstdio>
#include <ctime>

#include "ftpchat/core/clock.hpp"
#include "utf8.hpp"

namespace ftpchat {

namespace {

void append_hex(std::string& out, const char* format, unsigned value) {
  char buf[16];
  const int n = std::snprintf(buf, sizeof buf, format, value);
  out.append(buf, static_cast<std::size_t>(n));
}

std::string format_time(std::int64_t unix_ms) {
  // Floor division, so times before 1970 still land on the right second.
  std::int64_t secs = unix_ms / 1000;
  if (unix_ms % 1000 < 0) --secs;
  const auto t = static_cast<std::time_t>(secs);
  std::tm tm{};
  char buf[64];
  if (localtime_r(&t, &tm) == nullptr ||
      std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm) == 0)
    return "0000-00-00 00:00:00";  // same width, so column-based readers still work
  return buf;
}

}  // namespace

std::string escape_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const auto lead = static_cast<std::uint8_t>(text[0]);
    if (lead < 0x80) {
      if (lead == '\t' || (lead >= 0x20 && lead < 0x7F)) {
        out.push_back(static_cast<char>(lead));
      } else {
        out.push_back('^');  // cat -v: ^@ .. ^_ for C0, ^? for DEL
        out.push_back(lead == 0x7F ? '?' : static_cast<char>(lead + 0x40));
      }
      text.remove_prefix(1);
      continue;
    }
    char32_t cp = 0;
    const std::size_t length = utf8_sequence_length(text, cp);
    if (length == 0) {
      append_hex(out, "\\x%02X", lead);
      text.remove_prefix(1);
    } else {
      if (is_escaped_code_point(cp))
        append_hex(out, "\\u{%04X}", static_cast<unsigned>(cp));
      else
        out.append(text.substr(0, length));
      text.remove_prefix(length);
    }
  }
  return out;
}

std::string render_message(const Message& msg) {
  return format_time(HybridClock::millis(msg.stamp)) + " <" + escape_text(msg.nick) + "> " +
         escape_text(msg.body) + "\n";
}

std::string render_notice(std::int64_t unix_ms, std::string_view notice) {
  return format_time(unix_ms) + " -!- " + escape_text(notice) + "\n";
}

}  // namespace ftpchat
