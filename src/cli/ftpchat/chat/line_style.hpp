// How a conversation line looks, as styled byte ranges of its text: the screen maps each
// Style to terminal attributes and colours (or to none), so this part stays pure and the
// choices (nick colours, mentions, actions, delivery marks) are unit-tested.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "delivery.hpp"
#include "room_feed.hpp"

namespace ftpchat::chat {

enum class Style {
  plain,
  time,      // the time column
  nick,      // another member's nick, in its colour (Span::colour)
  own_nick,  // the user's own nick
  action,    // the text of a /me action
  mention,   // the user's nick inside someone else's message
  notice,    // a -!- line of the mount
  local,     // this client's own output (/help, /rooms, errors)
  mark,      // a delivery mark after one of the user's lines
  marker,    // the line above the first unread message
};

struct Span {
  std::size_t begin = 0, end = 0;
  Style style = Style::plain;
  std::size_t colour = 0;  // palette index for Style::nick
};

struct StyledLine {
  std::string text;
  std::vector<Span> spans;  // sorted, not overlapping; text outside them is plain
  int indent = 0;           // continuation rows start here (the message text's column)
};

// `own_nick` may be empty (not known yet: no mentions then). `delivery` is non-null for a
// line the user sent in this session; its state follows the text as "  [pending]".
StyledLine style_line(const FeedLine& line, std::string_view own_nick, const Delivery* delivery,
                      std::size_t palette_size);

// The line above the first unread message: "--- new messages ---..." filling `width` cells.
StyledLine marker_line(int width);

}  // namespace ftpchat::chat
