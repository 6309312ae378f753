// Keyword lines and the Argon2id parameter field, shared by the room headers (v1, v2) and the
// identity file.
#include "ftpchat/record/text_fields.hpp"

#include <charconv>
#include <optional>

#include "ftpchat/core/bytes.hpp"
#include "ftpchat/record/render.hpp"

namespace ftpchat {

namespace {

constexpr std::string_view kKdfName = "argon2id13";

Error bad(std::string detail) { return make_error(Errc::bad_data, std::move(detail)); }

// Canonical unsigned decimal: digits only, no sign, no leading zero, no overflow.
std::optional<std::uint64_t> parse_decimal(std::string_view text) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string quote_untrusted(std::string_view text) {
  constexpr std::size_t kMaxQuoted = 40;
  std::string out = "'" + escape_text(text.substr(0, kMaxQuoted));
  if (text.size() > kMaxQuoted) out += "...";
  return out + "'";
}

Result<std::vector<std::string_view>> parse_keyword_lines(std::string_view raw,
                                                          std::string_view what,
                                                          std::size_t first_line_bytes,
                                                          std::span<const std::string_view> keywords) {
  const std::string w(what);
  std::vector<std::string_view> values;
  std::size_t pos = first_line_bytes + 1;
  if (pos > raw.size()) return bad(w + " is truncated in its first line");
  for (std::size_t i = 0; i < keywords.size(); ++i) {
    const std::string keyword(keywords[i]);
    if (pos == raw.size()) return bad(w + " is truncated before the " + keyword + " line");
    const std::size_t eol = raw.find('\n', pos);
    if (eol == std::string_view::npos) return bad(w + " is truncated in the " + keyword + " line");
    const std::string_view line = raw.substr(pos, eol - pos);
    if (!line.starts_with(keyword) || line.size() == keyword.size() || line[keyword.size()] != ' ')
      return bad(w + " line " + std::to_string(i + 2) + " should be the " + keyword +
                 " line, found " + quote_untrusted(line));
    values.push_back(line.substr(keyword.size() + 1));
    pos = eol + 1;
  }
  if (pos != raw.size())
    return bad(w + " has unexpected content after the " + std::string(keywords.back()) + " line");
  return values;
}

Result<KdfParams> parse_kdf_line(std::string_view value) {
  std::vector<std::string_view> tokens;
  for (std::size_t start = 0;;) {
    const std::size_t space = value.find(' ', start);
    tokens.push_back(value.substr(start, space == std::string_view::npos ? space : space - start));
    if (space == std::string_view::npos) break;
    start = space + 1;
  }
  if (tokens[0] != kKdfName) return bad("unsupported kdf " + quote_untrusted(tokens[0]));
  if (tokens.size() != 4 || !tokens[1].starts_with("ops=") || !tokens[2].starts_with("mem=") ||
      !tokens[3].starts_with("salt="))
    return bad("malformed kdf line " + quote_untrusted(value));
  KdfParams params;
  auto ops = parse_decimal(tokens[1].substr(4));
  auto mem = parse_decimal(tokens[2].substr(4));
  if (!ops || !mem) return bad("kdf limits are not canonical decimal numbers");
  params.opslimit = *ops;
  params.memlimit = *mem;
  if (auto valid = validate_kdf_params(params); !valid) return valid.error();
  auto salt = from_base64(tokens[3].substr(5));
  if (!salt || salt->size() != params.salt.size())
    return bad("kdf salt is not 16 bytes of base64url");
  std::copy(salt->begin(), salt->end(), params.salt.begin());
  return params;
}

std::string format_kdf_line(const KdfParams& params) {
  const std::string_view salt(reinterpret_cast<const char*>(params.salt.data()), params.salt.size());
  return std::string(kKdfName) + " ops=" + std::to_string(params.opslimit) +
         " mem=" + std::to_string(params.memlimit) + " salt=" + to_base64(salt);
}

}  // namespace ftpchat
