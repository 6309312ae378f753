// The text files of the format (room headers, identity files): a fixed first line, then
// "keyword value" lines in a fixed order, each ending in LF, nothing else. Also the shared
// "argon2id13 ops=N mem=N salt=B64" field and how untrusted text is quoted in errors.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ftpchat/cipher/kdf.hpp"
#include "ftpchat/core/error.hpp"

namespace ftpchat {

// Untrusted text for an error detail: at most 40 characters, escaped, in single quotes.
std::string quote_untrusted(std::string_view text);

// The values of `keywords`' lines, after a first line already checked by the caller (of
// `first_line_bytes` bytes, without its LF). bad_data naming `what` ("header") and the line.
Result<std::vector<std::string_view>> parse_keyword_lines(std::string_view raw,
                                                          std::string_view what,
                                                          std::size_t first_line_bytes,
                                                          std::span<const std::string_view> keywords);

// "argon2id13 ops=<OPS> mem=<MEM> salt=<b64(16 bytes)>": canonical decimals, limits within
// libsodium's range and the format's ceilings (validate_kdf_params). bad_data otherwise.
Result<KdfParams> parse_kdf_line(std::string_view value);
std::string format_kdf_line(const KdfParams& params);

}  // namespace ftpchat
