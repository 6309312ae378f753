// Tab completion of nicks on the input line, as IRC clients do: the word before the cursor
// is completed with the most recent speaker of the room whose nick starts with it (letter
// case aside), followed by ": " at the start of the line (an address) or " " elsewhere.
// Pure: the speakers come from the lines the client holds.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "room_feed.hpp"

namespace ftpchat::chat {

// The nicks that wrote in `feed`, newest first, each once, without `own`; at most `limit`
// lines are looked at, from the newest.
std::vector<std::string> recent_speakers(const RoomFeed& feed, std::string_view own,
                                         std::size_t limit = 1000);

struct Completion {
  std::size_t erase = 0;  // characters before the cursor to replace (the word typed)
  std::wstring insert;    // what replaces them
};

// The completion of the word that ends at `cursor` in `text`, or nothing: no word there,
// or no speaker whose nick starts with it. `speakers` newest first (recent_speakers).
std::optional<Completion> complete_nick(std::wstring_view text, std::size_t cursor,
                                        const std::vector<std::wstring>& speakers);

}  // namespace ftpchat::chat
