// What became of the lines this client sent: pending (in the mount's spool) -> on the server
// -> read by whom. Fed only by what the mount shows: our own line appearing in ROOM/log (the
// mount echoes a line as soon as it is spooled) ties a sent line to its log line; ROOM/status's
// "sent N" lines say what became of the user's last few messages (queued, on server, read by
// whom: receipts of member rooms), and "messages pending: N" moves older lines to "on server".
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ftpchat::chat {

enum class DeliveryState { pending, on_server, read };

struct Delivery {
  std::string body;                     // as ROOM/log shows it (escaped)
  std::optional<std::int64_t> line_id;  // its line in the room's feed, once seen there
  DeliveryState state = DeliveryState::pending;
  std::vector<std::string> read_by;  // names, as far as the mount listed them
  std::size_t read_count = 0;        // how many read it (may exceed read_by's size)
};

struct SentStatus;

// "pending", "on server", "read by 5", "read by bob, carol" (names while three or fewer).
std::string describe(const Delivery& d);

class DeliveryTracker {
 public:
  // A line written to ROOM/outbox; `body` as the log will show it.
  void sent(const std::string& room, std::string body);
  // A new log line of `room` by `nick` (empty: our nick is not known yet, match on the body
  // alone): true if it is the oldest sent line not yet seen, which is then tied to it.
  bool match(const std::string& room, std::string_view nick, std::string_view body,
             std::int64_t line_id, std::string_view own_nick);
  // ROOM/status says the mount holds `pending` unsent messages of this room. The spool sends
  // in order, so all but our newest `pending` pending lines are on the server.
  void status_pending(const std::string& room, std::uint64_t pending);
  // ROOM/status's "sent N" lines (newest first): each names one of our last lines by its
  // text, matched from the newest line back. A reader of a line has read every older line of
  // ours too (receipts are watermarks). True when a state changed.
  bool status_sent(const std::string& room, const std::vector<SentStatus>& sent);

  const Delivery* find(const std::string& room, std::int64_t line_id) const;
  std::size_t pending(const std::string& room) const;
  std::size_t pending_total() const;

 private:
  std::map<std::string, std::vector<Delivery>> rooms_;  // by room, in send order
};

}  // namespace ftpchat::chat
