// JSON lines for scripts and bots: one object per message, always valid JSON whatever bytes
// the sender put in the nick or body (docs/FORMAT.md, "Rendering").
#include "ftpchat/record/render_json.hpp"

#include <cstdio>
#include <ctime>

#include "utf8.hpp"

namespace ftpchat {

namespace {

void append_u_escape(std::string& out, unsigned value) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\u%04x", value);
  out += buf;
}

}  // namespace

std::string rfc3339_utc_ms(std::int64_t unix_ms) {
  std::int64_t secs = unix_ms / 1000;
  std::int64_t ms = unix_ms % 1000;
  if (ms < 0) {
    --secs;
    ms += 1000;
  }
  const auto t = static_cast<std::time_t>(secs);
  std::tm tm{};
  char buf[64];
  if (gmtime_r(&t, &tm) == nullptr || std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
    return "1970-01-01T00:00:00.000Z";
  char out[80];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms));
  return out;
}

namespace {

}  // namespace

std::string json_string(std::string_view text) {
  std::string out = "\"";
  out.reserve(text.size() + 2);
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<std::uint8_t>(text[i]);
    if (c < 0x80) {
      if (c == '"') out += "\\\"";
      else if (c == '\\') out += "\\\\";
      else if (c == '\n') out += "\\n";
      else if (c == '\t') out += "\\t";
      else if (c == '\r') out += "\\r";
      else if (c < 0x20 || c == 0x7F) append_u_escape(out, c);
      else out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    char32_t cp = 0;
    const std::size_t len = utf8_sequence_length(text.substr(i), cp);
    if (len == 0) {
      out += "\\ufffd";  // one replacement character per invalid byte
      ++i;
      continue;
    }
    if (is_escaped_code_point(cp) || cp == 0x2028 || cp == 0x2029)
      append_u_escape(out, static_cast<unsigned>(cp));
    else
      out.append(text.substr(i, len));
    i += len;
  }
  out += '"';
  return out;
}

std::string render_json(const Message& msg) {
  std::string out = "{\"id\":\"" + to_hex(msg.id) + "\",\"time\":\"" +
                    rfc3339_utc_ms(static_cast<std::int64_t>(msg.stamp >> 16)) +
                    "\",\"from\":" + json_string(msg.nick);
  // A public id is base64url behind "ftpchat1": nothing in it needs escaping.
  if (!msg.signer_id.empty()) out += ",\"signer\":\"" + msg.signer_id + "\"";
  out += ",\"text\":" + json_string(msg.body) + "}\n";
  return out;
}

}  // namespace ftpchat
