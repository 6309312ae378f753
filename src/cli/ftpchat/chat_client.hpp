// `ftpchat chat DIR`: a terminal client of a mounted room folder or mount root. All the work
// is the mount's: the client follows ROOM/log and appends each typed line to ROOM/outbox.
// On a terminal it is full-screen (chat/chat_tui.hpp); otherwise a line mode for scripts.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace ftpchat {

struct ChatArgs {
  std::string dir;                     // a room folder, or the mount's root
  std::optional<std::size_t> history;  // --history
  std::string nick;                    // --nick
};

int run_chat(const ChatArgs& args);

}  // namespace ftpchat
