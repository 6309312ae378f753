// LIST output parsing. Servers format LIST as they please; we read the two formats nearly all
// of them use and skip anything else rather than fail the whole listing.
#include "ftpchat/transport/ftp_list.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>

namespace ftpchat {
namespace {

struct Token {
  std::size_t begin;
  std::size_t end;
};

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::vector<Token> tokenize(std::string_view line) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_blank(line[i])) ++i;
    if (i == line.size()) break;
    std::size_t start = i;
    while (i < line.size() && !is_blank(line[i])) ++i;
    tokens.push_back({start, i});
  }
  return tokens;
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (err != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Matches `text` against a shape where 'd' is a digit and any other character itself.
bool matches_shape(std::string_view text, std::string_view shape) {
  if (text.size() != shape.size()) return false;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 'd' ? !is_digit(text[i]) : text[i] != shape[i]) return false;
  }
  return true;
}

bool is_month(std::string_view text) {
  static constexpr std::array<std::string_view, 12> months = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  if (text.size() != 3) return false;
  std::string lower;
  for (char c : text)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  for (auto month : months)
    if (lower == month) return true;
  return false;
}

bool is_day(std::string_view text) { return matches_shape(text, "d") || matches_shape(text, "dd"); }

bool is_clock(std::string_view text) {
  return matches_shape(text, "dd:dd") || matches_shape(text, "d:dd") ||
         matches_shape(text, "dd:dd:dd");
}

bool is_time_or_year(std::string_view text) {
  return is_clock(text) || matches_shape(text, "dddd");
}

enum class LineKind { entry, dot, ignorable, unparsed };

struct LineResult {
  LineKind kind;
  DirEntry entry;
};

LineResult finish(std::string name, bool is_dir, std::optional<std::uint64_t> size) {
  if (name.empty()) return {LineKind::unparsed, {}};
  if (name == ".") return {LineKind::dot, {}};
  if (name == "..") return {LineKind::ignorable, {}};
  return {LineKind::entry, DirEntry{std::move(name), is_dir, size}};
}

// "drwxr-xr-x 2 user group 4096 Nov 27 10:59 name" and variants with missing owner/group
// columns or ISO dates. The name starts one space after the time (or year) column, so
// names with inner, trailing or leading spaces survive.
std::optional<LineResult> parse_unix(std::string_view line, const std::vector<Token>& tokens) {
  auto text = [&](std::size_t i) {
    return line.substr(tokens[i].begin, tokens[i].end - tokens[i].begin);
  };
  const std::string_view mode = text(0);
  if (mode.size() < 10 || std::string_view("-dlbcpsD").find(mode[0]) == std::string_view::npos)
    return std::nullopt;
  for (std::size_t i = 2; i + 1 < tokens.size(); ++i) {
    std::size_t time_index = 0;
    if (is_month(text(i)) && i + 2 < tokens.size() && is_day(text(i + 1)) &&
        is_time_or_year(text(i + 2)))
      time_index = i + 2;
    else if (matches_shape(text(i), "dddd-dd-dd") && is_clock(text(i + 1)))
      time_index = i + 1;
    else
      continue;
    auto size = parse_size(text(i - 1));
    if (!size) continue;
    const std::size_t name_start = tokens[time_index].end + 1;
    if (name_start >= line.size()) return LineResult{LineKind::unparsed, {}};
    std::string name(line.substr(name_start));
    if (mode[0] == 'l') {
      auto arrow = name.find(" -> ");
      if (arrow != std::string::npos) name.resize(arrow);
    }
    return finish(std::move(name), mode[0] == 'd', size);
  }
  return std::nullopt;
}

// "11-27-26  10:59AM  <DIR>  name" and "11-27-26  10:59AM  1234 name" (IIS, Windows).
std::optional<LineResult> parse_dos(std::string_view line, const std::vector<Token>& tokens) {
  auto text = [&](std::size_t i) {
    return line.substr(tokens[i].begin, tokens[i].end - tokens[i].begin);
  };
  if (tokens.size() < 4) return std::nullopt;
  const std::string_view date = text(0);
  if (!matches_shape(date, "dd-dd-dd") && !matches_shape(date, "dd-dd-dddd")) return std::nullopt;
  std::string_view clock = text(1);
  if (clock.size() < 6) return std::nullopt;
  const std::string_view meridian = clock.substr(clock.size() - 2);
  if (meridian != "AM" && meridian != "PM" && meridian != "am" && meridian != "pm")
    return std::nullopt;
  if (!is_clock(clock.substr(0, clock.size() - 2))) return std::nullopt;
  const std::string_view kind = text(2);
  const bool is_dir = kind == "<DIR>" || kind == "<dir>";
  std::optional<std::uint64_t> size;
  if (!is_dir) {
    size = parse_size(kind);
    if (!size) return std::nullopt;
  }
  return finish(std::string(line.substr(tokens[3].begin)), is_dir, size);
}

LineResult classify(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  const auto tokens = tokenize(line);
  if (tokens.empty()) return {LineKind::ignorable, {}};
  if (tokens.size() == 2 &&
      line.substr(tokens[0].begin, tokens[0].end - tokens[0].begin) == "total" &&
      parse_size(line.substr(tokens[1].begin, tokens[1].end - tokens[1].begin)))
    return {LineKind::ignorable, {}};
  if (auto unix_line = parse_unix(line, tokens)) return *unix_line;
  if (auto dos_line = parse_dos(line, tokens)) return *dos_line;
  return {LineKind::unparsed, {}};
}

}  // namespace

std::optional<DirEntry> parse_ftp_list_line(std::string_view line) {
  LineResult result = classify(line);
  if (result.kind != LineKind::entry) return std::nullopt;
  return std::move(result.entry);
}

FtpListing parse_ftp_listing(std::string_view text) {
  FtpListing listing;
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    LineResult result = classify(line);
    if (result.kind == LineKind::entry)
      listing.entries.push_back(std::move(result.entry));
    else if (result.kind == LineKind::dot)
      listing.has_dot = true;
    else if (result.kind == LineKind::unparsed)
      listing.unparsed.emplace_back(line);
  }
  return listing;
}

}  // namespace ftpchat
