// ROOM/log lines. Message text comes from other people, so everything that could act on a
// terminal (escape sequences, bidi overrides, invalid UTF-8) is made visible instead.
#include "ftpchat/record/render.hpp"

#include <cstdio>
#include <ctime>

#include "ftpchat/core/clock.hpp"

namespace ftpchat {

namespace {

// Length of the valid UTF-8 sequence starting at text[0], or 0 if it is not one
// (stray continuation, overlong form, surrogate, above U+10FFFF, truncated).
std::size_t utf8_sequence_length(std::string_view text, char32_t& code_point) {
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

bool is_escaped_code_point(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) ||                  // C1 controls (CSI, OSC, ...)
         (cp >= 0x202A && cp <= 0x202E) ||              // bidi embeddings and overrides
         (cp >= 0x2066 && cp <= 0x2069) ||              // bidi isolates
         cp == 0x200E || cp == 0x200F || cp == 0x061C;  // bidi marks
}

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
