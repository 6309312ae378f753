// `ftpchat chat ROOMDIR`: a minimal IRC-like client on a mounted room folder. All the work is
// the mount's: it follows ROOMDIR/log and appends each typed line to ROOMDIR/outbox.
#pragma once

#include <string>

namespace ftpchat {

int run_chat(const std::string& room_dir, unsigned history_lines);

}  // namespace ftpchat
