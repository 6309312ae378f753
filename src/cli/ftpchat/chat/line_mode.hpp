// `ftpchat chat` when stdin or stdout is not a terminal (scripts, tests): prints the room's
// log as it grows and sends each input line, with nothing drawn.
#pragma once

#include <cstddef>
#include <string>

namespace ftpchat::chat {

// Prints the last `history` lines of ROOM_DIR/log and what follows; appends each line of
// stdin to ROOM_DIR/outbox ("/quit" leaves). At the end of input, shows what arrives for a
// moment more (the echo of the last lines), then returns the exit status.
int run_line_mode(const std::string& room_dir, std::size_t history);

}  // namespace ftpchat::chat
