// ROOM/status: one "key: value" per line, keys stable (documented in ftpchatfs(1)), values
// one line each (errors are sentences), so scripts can grep and humans can read.
#include <chrono>
#include <ctime>

#include "ftpchat/record/render.hpp"
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

// How long a request may go without a byte before status says the server is not answering.
constexpr std::chrono::seconds kSilentServer{5};

std::string clock_list(const std::vector<ClockSkewWatch::Finding>& far_off) {
  std::string out;
  for (const auto& f : far_off) {
    if (!out.empty()) out += "; ";
    out += escape_text(f.nick) + " (writer " + to_hex(f.writer).substr(0, 8) + ") " +
           describe_offset(f.offset_ms) + (f.offset_ms > 0 ? " ahead" : " behind");
  }
  return out.empty() ? "none" : out;
}

// "read by 2 (bob, carol)"; past ten readers only the count.
std::string read_by(const std::vector<std::string>& names) {
  std::string out = "read by " + std::to_string(names.size());
  if (names.size() > 10) return out;
  for (std::size_t i = 0; i < names.size(); ++i) out += (i == 0 ? " (" : ", ") + names[i];
  return out + ")";
}

}  // namespace

// Rules for `state` (one line; the first that applies):
//  1. read-only: the header changed on the server;
//  2. cannot send: the last upload failed (it is retried with backoff);
//  3. local storage failing: the state folder cannot be written (full disk);
//  4. waiting for the server: a request has had no answer for kSilentServer;
//  5. cannot sync: the last sync failed;
//  6. ok.
// Nothing here waits for the network: the connection's activity is read without its lock.
std::string Room::status_text() const {
  const RoomCounters c = counters();
  std::string out;
  auto line = [&](const char* key, const std::string& value) {
    out += key;
    out += ": ";
    out += one_line(value);
    out += '\n';
  };
  const auto activity = ctx_.connection ? ctx_.connection->activity() : std::nullopt;
  std::string state = "ok";
  if (!c.read_only_reason.empty())
    state = "read-only: " + c.read_only_reason;
  else if (!c.send_error.empty())
    state = "cannot send: " + c.send_error;
  else if (!c.local_error.empty())
    state = "local storage failing: " + c.local_error;
  else if (activity && activity->silent >= kSilentServer)
    state = "waiting for the server: no answer to the " + activity->request + " for " +
            std::to_string(activity->silent.count() / 1000) + " s";
  else if (!c.sync_error.empty())
    state = "cannot sync: " + c.sync_error;
  const bool insecure = opened_.header.suite == Suite::mono24_insecure;
  line("room", name());
  line("folder", folder_);
  line("server", ctx_.transport.display_url());
  line("transport mode", ctx_.transport.mode());
  line("cipher", std::string(suite_name(opened_.header.suite)) +
                     (insecure ? " (NOT SECURE: a legacy substitution anyone with the server's "
                                 "files can read; see ftpchat-format(5))"
                               : ""));
  line("state", state);
  // As the log shows this user's messages: in a member room, the name the members gave.
  line("nick", member_ ? member_->own_name() : escape_text(ctx_.config.nick));
  line("writer", c.writer.empty() ? "none yet" : c.writer);
  line("messages pending", std::to_string(c.pending));
  line("messages sent", std::to_string(c.sent));
  line("messages received", std::to_string(c.received));
  line("unread", std::to_string(unread()));
  line("receipts", !member_ ? "none (passphrase rooms have none)"
                            : ctx_.config.receipts ? "on" : "off");
  // The last messages this mount sent, newest first: queued, on server, read by whom.
  const std::optional<Id128> own_writer = id_from_hex(c.writer);
  for (std::size_t i = 0; i < c.sent_recent.size(); ++i) {
    const SentMessage& m = c.sent_recent[c.sent_recent.size() - 1 - i];
    std::string state = m.seq <= c.acked ? "on server" : "queued";
    if (m.seq <= c.acked && member_ && ctx_.config.receipts && own_writer)
      if (const auto readers = member_->readers_of(*own_writer, m.seq); !readers.empty())
        state = read_by(readers);
    const std::string key = "sent " + std::to_string(i + 1);
    line(key.c_str(), rfc3339_utc(m.queued_ms) + " " + state + ": " + m.text);
  }
  line("last sync", rfc3339_utc(c.last_sync_ms));
  line("last error", c.last_error().empty() ? "none" : c.last_error());
  line("send error", c.send_error.empty()
                         ? "none"
                         : c.send_error + " (failing since " +
                               rfc3339_utc(c.send_failing_since_ms) + ", " +
                               std::to_string(c.send_failures) + " attempt(s))");
  line("sync error", c.sync_error.empty() ? "none" : c.sync_error);
  line("local storage", c.local_error.empty() ? "ok" : c.local_error);
  line("clocks far off", clock_list(c.clocks_off));
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
