// Rendering messages as the JSON lines of ROOM/log.jsonl and `ftpchat read --json`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ftpchat/record/record.hpp"

namespace ftpchat {

// A JSON string literal (with quotes) for untrusted bytes: valid UTF-8 passes, each byte that
// is not valid UTF-8 becomes U+FFFD, and controls, DEL, C1, bidi controls, U+2028 and U+2029
// are \u escapes, so the line is valid JSON and harmless on a terminal.
std::string json_string(std::string_view untrusted);

// {"id":"<32 hex>","time":"2026-11-27T10:59:43.120Z","from":"alice","text":"hello"}\n
// time is RFC 3339 in UTC with milliseconds (stamp >> 16). Member rooms add the signer's
// public id after "from": "signer":"ftpchat1...".
std::string render_json(const Message& msg);

// "2026-11-27T10:59:43.120Z"
std::string rfc3339_utc_ms(std::int64_t unix_ms);

}  // namespace ftpchat
