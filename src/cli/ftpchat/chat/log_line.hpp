// The parts of a ROOM/log line ("2026-11-27 10:59:43 <alice> hello", "... -!- notice"), as
// byte ranges of the unchanged line: the client shows the line exactly as `cat log` does
// and only styles these parts.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ftpchat::chat {

enum class LineKind {
  message,  // TIME <nick> body
  notice,   // TIME -!- text (written by the mount itself)
  other,    // anything else found in a log (shown as it is)
  local,    // a line of this client (command output), never in any log
};

struct LogLine {
  LineKind kind = LineKind::other;
  std::size_t time_end = 0;                  // [0, time_end): the time
  std::size_t nick_begin = 0, nick_end = 0;  // the nick between < and >
  std::size_t body_begin = 0;                // the message text or notice, to the end
};

LogLine parse_log_line(std::string_view line);

std::string_view nick_of(std::string_view line, const LogLine& parts);
std::string_view body_of(std::string_view line, const LogLine& parts);

// How /me is sent: a plain message "* NICK TEXT", which every reader of the log understands
// as an action (`<alice> * alice waves`) and this client shows as one.
std::string action_body(std::string_view nick, std::string_view text);
// True for a body "* NICK ..." sent by NICK (an action).
bool is_action(std::string_view nick, std::string_view body);

}  // namespace ftpchat::chat
