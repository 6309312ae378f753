// Nick completion (see the header).
#include "nick_complete.hpp"

#include <algorithm>
#include <cwctype>
#include <set>

namespace ftpchat::chat {

std::vector<std::string> recent_speakers(const RoomFeed& feed, std::string_view own,
                                         std::size_t limit) {
  std::vector<std::string> out;
  std::set<std::string, std::less<>> seen{std::string(own)};
  const std::int64_t oldest =
      std::max(feed.first_id(), feed.end_id() - static_cast<std::int64_t>(limit));
  for (std::int64_t id = feed.end_id() - 1; id >= oldest; --id) {
    const FeedLine& line = feed.line(id);
    if (line.parts.kind != LineKind::message) continue;
    const std::string_view nick = nick_of(line.text, line.parts);
    if (!nick.empty() && seen.insert(std::string(nick)).second) out.emplace_back(nick);
  }
  return out;
}

std::optional<Completion> complete_nick(std::wstring_view text, std::size_t cursor,
                                        const std::vector<std::wstring>& speakers) {
  cursor = std::min(cursor, text.size());
  std::size_t start = cursor;
  while (start > 0 && !std::iswspace(static_cast<wint_t>(text[start - 1]))) --start;
  const std::wstring_view word = text.substr(start, cursor - start);
  if (word.empty()) return std::nullopt;
  const auto starts_with_word = [&](const std::wstring& nick) {
    return nick.size() >= word.size() &&
           std::equal(word.begin(), word.end(), nick.begin(), [](wchar_t a, wchar_t b) {
             return std::towlower(static_cast<wint_t>(a)) == std::towlower(static_cast<wint_t>(b));
           });
  };
  const auto match = std::find_if(speakers.begin(), speakers.end(), starts_with_word);
  if (match == speakers.end()) return std::nullopt;
  return Completion{word.size(), *match + (start == 0 ? L": " : L" ")};
}

}  // namespace ftpchat::chat
