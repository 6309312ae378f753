// Word wrapping of one conversation line into screen rows: rows break after a space when
// one is in reach, else between characters (never inside one, wide characters included);
// rows after the first are indented so that a wrapped message stays right of its nick.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace ftpchat::chat {

struct Row {
  std::size_t begin = 0, end = 0;  // bytes of the line on this row
  int indent = 0;                  // blank cells before them
};

// Rows of `text` at `width` cells. Continuation rows are indented by `indent` cells, or by
// 2 when that would leave less than half the width. Always at least one row.
std::vector<Row> wrap_line(std::string_view text, int width, int indent);

}  // namespace ftpchat::chat
