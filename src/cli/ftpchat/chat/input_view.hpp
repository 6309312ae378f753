// The input line's window onto the text being typed: which characters are visible and
// where the cursor is, scrolling sideways in jumps (a third of the width) when the cursor
// would leave the window. The text itself is edited by libedit (line_editor.hpp); this is
// the part that decides what the fixed input row shows, whatever arrives meanwhile.
#pragma once

#include <cstddef>
#include <string_view>

namespace ftpchat::chat {

struct InputWindow {
  std::size_t first = 0;  // first visible character
  std::size_t last = 0;   // one past the last visible character
  int cursor_column = 0;  // cells from the window's left edge
};

class InputView {
 public:
  // Fits `text` (cursor at index `cursor`, 0..size) into `width` cells, scrolling from the
  // window of the previous call as little as needed.
  InputWindow fit(std::wstring_view text, std::size_t cursor, int width);
  void reset() { first_ = 0; }

 private:
  std::size_t first_ = 0;
};

}  // namespace ftpchat::chat
