// ROOM/control of a member room: each line written is a membership command, run when its line
// is complete (docs in man/ftpchatfs.h2m, "MEMBER ROOMS"):
//   invite NAME PUBLIC_ID [member|admin|owner]
//   remove MEMBER            (a name as the log shows it, or a public id; your own: leave)
//   role MEMBER member|admin|owner
//   rekey
// A failed command is a negative errno for the write, and a "-!- control: ..." notice in log.
#pragma once

#include <string_view>

#include "ftpchat/room/room.hpp"

namespace ftpchat {

int run_control_line(Room& room, std::string_view line);

}  // namespace ftpchat
