// style_line and marker_line (see line_style.hpp).
#include "line_style.hpp"

#include "nick_style.hpp"
#include "text_cells.hpp"

namespace ftpchat::chat {

StyledLine style_line(const FeedLine& line, std::string_view own_nick, const Delivery* delivery,
                      std::size_t palette_size) {
  StyledLine out;
  out.text = line.text;
  const LogLine& p = line.parts;
  auto span = [&](std::size_t b, std::size_t e, Style s, std::size_t colour = 0) {
    if (e > b) out.spans.push_back(Span{b, e, s, colour});
  };
  switch (p.kind) {
    case LineKind::local:
      span(0, out.text.size(), Style::local);
      out.indent = 4;
      break;
    case LineKind::notice:
      span(0, p.time_end, Style::time);
      span(p.time_end + 1, out.text.size(), Style::notice);
      out.indent = display_width(std::string_view(out.text).substr(0, p.body_begin));
      break;
    case LineKind::other:
      span(0, p.time_end, Style::time);
      out.indent = display_width(std::string_view(out.text).substr(0, p.body_begin));
      break;
    case LineKind::message: {
      const std::string_view nick = nick_of(line.text, p);
      const std::string_view body = body_of(line.text, p);
      const bool own = !own_nick.empty() && nick == own_nick;
      span(0, p.time_end, Style::time);
      // "<nick>": the brackets take the nick's style too, as in irssi.
      span(p.nick_begin - 1, p.nick_end + 1, own ? Style::own_nick : Style::nick,
           nick_colour_index(nick, palette_size));
      out.indent = display_width(std::string_view(out.text).substr(0, p.body_begin));
      if (is_action(nick, body)) {
        span(p.body_begin, out.text.size(), Style::action);
      } else if (!own) {
        for (const Range& r : find_mentions(body, own_nick))
          span(p.body_begin + r.begin, p.body_begin + r.end, Style::mention);
      }
      break;
    }
  }
  if (delivery != nullptr) {
    const std::size_t from = out.text.size();
    out.text += "  [" + describe(*delivery) + "]";
    span(from, out.text.size(), Style::mark);
  }
  return out;
}

StyledLine marker_line(int width) {
  StyledLine out;
  out.text = "--- new messages ";
  while (static_cast<int>(out.text.size()) < width) out.text += '-';
  out.spans.push_back(Span{0, out.text.size(), Style::marker, 0});
  return out;
}

}  // namespace ftpchat::chat
