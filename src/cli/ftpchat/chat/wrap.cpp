// wrap_line (see wrap.hpp).
#include "wrap.hpp"

#include "text_cells.hpp"

namespace ftpchat::chat {

std::vector<Row> wrap_line(std::string_view text, int width, int indent) {
  if (width < 1) width = 1;
  if (indent > width / 2) indent = width >= 8 ? 2 : 0;
  std::vector<Row> rows;
  std::size_t pos = 0;
  int row_indent = 0;
  do {
    const int room = width - row_indent;
    std::size_t end = pos, last_space_end = 0;
    int used = 0;
    while (end < text.size()) {
      const Utf8Char c = next_char(text, end);
      const int w = cell_width(c.code_point);
      if (used + w > room) break;
      used += w;
      end += c.length;
      if (c.code_point == ' ') last_space_end = end;
    }
    if (end == pos && end < text.size()) {
      end += next_char(text, end).length;  // wider than the row: show it anyway, alone
    } else if (end < text.size() && last_space_end > pos) {
      end = last_space_end;  // break after the last space that fits
    }
    rows.push_back(Row{pos, end, row_indent});
    pos = end;
    // A continuation row does not start with the spaces the break fell on.
    while (pos < text.size() && text[pos] == ' ') ++pos;
    row_indent = indent;
  } while (pos < text.size());
  return rows;
}

}  // namespace ftpchat::chat
