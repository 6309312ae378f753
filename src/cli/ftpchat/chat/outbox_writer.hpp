// Sending as `echo TEXT >> ROOM/outbox` does: open for appending, one write of the line and
// its newline, close (where a mount with -o sync_send waits for the server).
#pragma once

#include <string>
#include <string_view>

#include "ftpchat/core/error.hpp"

namespace ftpchat::chat {

Result<void> append_to_outbox(const std::string& outbox_path, std::string_view line);

}  // namespace ftpchat::chat
