// ROOM/status as the client reads it: "key: value" lines (keys in ftpchatfs(1)). Only what
// the client shows is interpreted.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "delivery.hpp"

namespace ftpchat::chat {

std::map<std::string, std::string> parse_status(std::string_view text);

// "sent N: TIME STATE: TEXT", one of the user's last messages through this mount (N = 1 the
// newest): STATE is "queued", "on server", "read by COUNT (NAME, ...)" or "read by COUNT"; TEXT
// as the log shows the body, cut short with "…" when long.
struct SentStatus {
  std::string time;
  DeliveryState state = DeliveryState::pending;
  std::size_t read_count = 0;
  std::vector<std::string> read_by;
  std::string text;
};
std::optional<SentStatus> parse_sent(std::string_view value);
// Whether a body (as the log shows it) is the one a SentStatus names.
bool sent_text_matches(std::string_view body, std::string_view text);

struct RoomStatus {
  std::uint64_t pending = 0;  // "messages pending"
  std::string last_error;     // "last error", empty for "none"
  std::string state;          // "state": "ok" or "read-only: ..."
  std::optional<std::uint64_t> unread;  // "unread": others' messages no read returned yet
  std::string nick;           // "nick": the user's nick as the log shows it (empty: unknown)
  std::vector<SentStatus> sent;  // "sent 1", "sent 2", ...: newest first
};

RoomStatus interpret_status(const std::map<std::string, std::string>& keys);

// Reads ROOM/status (the mount renders it afresh at each open; no network is involved).
std::optional<RoomStatus> read_room_status(const std::string& status_path);

}  // namespace ftpchat::chat
