// Rendering messages as the text of ROOM/log, with untrusted text made harmless.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ftpchat/record/record.hpp"

namespace ftpchat {

// Escapes everything that could act on a terminal: C0 controls and DEL as ^X (cat -v style,
// tab kept), C1 controls and bidirectional overrides as \u{XXXX}, bytes that are not valid
// UTF-8 as \xNN. Other text, backslashes included, passes unchanged.
std::string escape_text(std::string_view untrusted);

// "2026-11-27 10:59:43 <alice> hello everyone\n" in the daemon's local time zone (TZ).
std::string render_message(const Message& msg);

// "2026-11-27 10:59:43 -!- <notice>\n": lines ftpchatfs itself adds to a log.
std::string render_notice(std::int64_t unix_ms, std::string_view notice);

}  // namespace ftpchat
