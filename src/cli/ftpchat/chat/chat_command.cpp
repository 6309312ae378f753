// parse_chat_command (see chat_command.hpp).
#include "chat_command.hpp"

namespace ftpchat::chat {

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

ChatCommand make(ChatCommand::Kind kind, std::string_view argument = {}) {
  return ChatCommand{kind, std::string(argument)};
}
}  // namespace

ChatCommand parse_chat_command(std::string_view line) {
  using K = ChatCommand::Kind;
  if (trim(line).empty()) return make(K::nothing);
  if (!line.starts_with('/')) return make(K::message, line);
  if (line.starts_with("//")) return make(K::message, line.substr(1));
  const std::size_t space = line.find(' ');
  const std::string_view name =
      line.substr(1, space == std::string_view::npos ? line.npos : space - 1);
  const std::string_view arg =
      space == std::string_view::npos ? std::string_view() : trim(line.substr(space + 1));
  if (name == "me") {
    if (arg.empty()) return make(K::error, "/me needs an action, e.g. /me waves");
    return make(K::action, arg);
  }
  if (name == "join" || name == "j") {
    if (arg.empty()) return make(K::error, "/join needs a room name or number; /rooms lists them");
    return make(K::join, arg);
  }
  if (name == "rooms") return make(K::rooms);
  if (name == "members" || name == "names" || name == "who") return make(K::members);
  if (name == "help") return make(K::help);
  if (name == "quit" || name == "exit" || name == "q") return make(K::quit);
  return make(K::error, "unknown command /" + std::string(name) +
                            "; /help lists the commands, //text sends a line starting with /");
}

const char* chat_help_text() {
  return "Enter           send the line: one message, as echo >> ROOM/outbox\n"
         "/me ACTION      send \"* NICK ACTION\" (an action, readable as such in any log)\n"
         "/join ROOM      show ROOM (a name, or its number in the status line)\n"
         "Alt+1..Alt+9    show room 1..9; a marker line shows where unread messages start\n"
         "/rooms          list the mount's rooms with their unread counts\n"
         "/members        who is in the room and who read up to where (member rooms),\n"
         "                else who wrote in its log, and when last\n"
         "/help           this list\n"
         "/quit           leave (also Ctrl+C, or Ctrl+D, on an empty line)\n"
         "//TEXT          send TEXT starting with /\n"
         "PgUp, PgDn      scroll the conversation; older history loads at the top\n"
         "Up, Down        earlier lines typed; Ctrl+R: the last one starting as typed\n"
         "Tab             complete the nick before the cursor (the room's latest speaker\n"
         "                starting so; \"bob: \" at the start of the line)\n"
         "Ctrl+A/E/K/U/W/Y, Alt+B/F/D, Home, End: edit as in a shell (libedit)\n"
         "Ctrl+L          redraw the screen; Ctrl+Z suspends";
}

}  // namespace ftpchat::chat
