// InputView::fit (see input_view.hpp).
#include "input_view.hpp"

#include <algorithm>

#include "text_cells.hpp"

namespace ftpchat::chat {

namespace {
int cells(std::wstring_view text, std::size_t from, std::size_t to) {
  return display_width(text.substr(from, to - from));
}
}  // namespace

InputWindow InputView::fit(std::wstring_view text, std::size_t cursor, int width) {
  width = std::max(width, 2);
  cursor = std::min(cursor, text.size());
  // The cursor needs a cell of its own at the end of the text.
  const int usable = width - 1;
  if (cells(text, 0, text.size()) <= usable) first_ = 0;
  if (first_ > cursor) {
    // Cursor left of the window: put it a third of the width in, if the text allows.
    first_ = cursor;
    int back = 0;
    while (first_ > 0 && back + cell_width(static_cast<char32_t>(text[first_ - 1])) <= width / 3)
      back += cell_width(static_cast<char32_t>(text[--first_]));
  }
  if (cells(text, first_, cursor) > usable) {
    // Cursor right of the window: scroll so it sits a third of the width from the right.
    first_ = cursor;
    int back = 0;
    const int keep = std::max(usable - width / 3, 1);
    while (first_ > 0 && back + cell_width(static_cast<char32_t>(text[first_ - 1])) <= keep)
      back += cell_width(static_cast<char32_t>(text[--first_]));
  }
  // Do not leave blank cells at the right while text is hidden at the left.
  int tail = cells(text, first_, text.size());
  while (first_ > 0 && tail + cell_width(static_cast<char32_t>(text[first_ - 1])) <= usable)
    tail += cell_width(static_cast<char32_t>(text[--first_]));
  InputWindow w;
  w.first = first_;
  w.cursor_column = cells(text, first_, cursor);
  std::size_t last = first_;
  int used = 0;
  while (last < text.size()) {
    const int cw = cell_width(static_cast<char32_t>(text[last]));
    if (used + cw > width) break;
    used += cw;
    ++last;
  }
  w.last = last;
  return w;
}

}  // namespace ftpchat::chat
