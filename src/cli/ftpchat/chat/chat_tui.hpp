// The full-screen client's event loop: keys, the terminal's size, signals and a 200 ms timer
// that reads what the rooms' logs gained (inotify does not see FUSE changes; this is what
// tail -f does).
#pragma once

#include "chat_session.hpp"

namespace ftpchat::chat {

// Runs until /quit, Ctrl+C on an empty line, SIGTERM or SIGHUP. Returns the exit status.
int run_tui(MountRooms rooms, ChatOptions options);

}  // namespace ftpchat::chat
