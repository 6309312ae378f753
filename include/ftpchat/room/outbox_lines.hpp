// Splits what programs write into ROOM/outbox into messages: one per line, and a final
// line without newline when the file is closed. Empty lines are not messages.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ftpchat {

class OutboxLines {
 public:
  // Complete lines in `bytes` (plus what was pending), without their '\n' (or "\r\n").
  std::vector<std::string> feed(std::string_view bytes);
  // The unterminated rest, if any; clears it.
  std::optional<std::string> finish();
  std::size_t pending_bytes() const { return pending_.size(); }

 private:
  std::string pending_;
};

}  // namespace ftpchat
