// What a typed line asks for: a message, or one of the client's commands (/me, /join,
// /rooms, /members, /help, /quit). "//text" sends "/text".
#pragma once

#include <string>
#include <string_view>

namespace ftpchat::chat {

struct ChatCommand {
  enum class Kind { message, action, join, rooms, members, help, quit, nothing, error };
  Kind kind = Kind::nothing;
  std::string argument;  // message text, action text, room name, or the error sentence
};

ChatCommand parse_chat_command(std::string_view line);

// The /help text, one entry a line (also the source of the man page's list of commands).
const char* chat_help_text();

}  // namespace ftpchat::chat
