// ROOM/status as the client reads it: "key: value" lines (keys in ftpchatfs(1)). Only what
// the client shows is interpreted; later keys (unread counts, receipts) slot in here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ftpchat::chat {

std::map<std::string, std::string> parse_status(std::string_view text);

struct RoomStatus {
  std::uint64_t pending = 0;  // "messages pending"
  std::string last_error;     // "last error", empty for "none"
  std::string state;          // "state": "ok" or "read-only: ..."
};

RoomStatus interpret_status(const std::map<std::string, std::string>& keys);

// Reads ROOM/status (the mount renders it afresh at each open; no network is involved).
std::optional<RoomStatus> read_room_status(const std::string& status_path);

}  // namespace ftpchat::chat
