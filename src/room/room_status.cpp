// ROOM/status: one "key: value" per line, keys stable (documented in ftpchatfs(1)), values
// one line each (errors are sentences), so scripts can grep and humans can read.
#include <ctime>

#include "ftpchat/room/room.hpp"

namespace ftpchat {

namespace {
std::string rfc3339_utc(std::int64_t unix_ms) {
  if (unix_ms <= 0) return "never";
  const std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text;
}
}  // namespace

std::string Room::status_text() const {
  const RoomCounters c = counters();
  std::string out;
  auto line = [&](const char* key, const std::string& value) {
    out += key;
    out += ": ";
    out += one_line(value);
    out += '\n';
  };
  line("room", name());
  line("folder", folder_);
  line("server", ctx_.transport.display_url());
  line("transport mode", ctx_.transport.mode());
  line("state", c.read_only_reason.empty() ? "ok" : "read-only: " + c.read_only_reason);
  line("writer", c.writer.empty() ? "none yet" : c.writer);
  line("messages pending", std::to_string(c.pending));
  line("messages sent", std::to_string(c.sent));
  line("messages received", std::to_string(c.received));
  line("last sync", rfc3339_utc(c.last_sync_ms));
  line("last error", c.last_error.empty() ? "none" : c.last_error);
  line("records rejected", std::to_string(c.rejected));
  if (member_) line("records unreadable", std::to_string(c.unreadable));
  line("duplicates dropped", std::to_string(c.duplicates));
  line("messages missing", std::to_string(c.missing));
  line("bytes fetched", std::to_string(c.bytes_fetched));
  line("notices", std::to_string(c.notices));
  if (member_) out += member_->status_text();
  else out += "room kind: passphrase room\n";
  return out;
}

}  // namespace ftpchat
