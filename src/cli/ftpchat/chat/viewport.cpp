// Viewport (see viewport.hpp).
#include "viewport.hpp"

#include <algorithm>

namespace ftpchat::chat {

RowRef Viewport::bottom(const RowSource& src) const {
  if (!following_) return anchor_;
  const std::int64_t last = src.end_id() - 1;
  return RowRef{last, src.rows(last) - 1};
}

bool Viewport::step_back(const RowSource& src, RowRef& at) const {
  if (at.row > 0) {
    --at.row;
    return true;
  }
  if (at.id <= src.first_id()) return false;
  --at.id;
  at.row = src.rows(at.id) - 1;
  return true;
}

bool Viewport::step_forward(const RowSource& src, RowRef& at) const {
  if (at.row + 1 < src.rows(at.id)) {
    ++at.row;
    return true;
  }
  if (at.id + 1 >= src.end_id()) return false;
  ++at.id;
  at.row = 0;
  return true;
}

std::vector<RowRef> Viewport::visible(const RowSource& src, int height) const {
  std::vector<RowRef> rows;
  if (src.end_id() <= src.first_id() || height <= 0) return rows;
  RowRef at = bottom(src);
  at.row = std::min(at.row, src.rows(at.id) - 1);  // a line may have become shorter
  rows.push_back(at);
  while (static_cast<int>(rows.size()) < height && step_back(src, at)) rows.push_back(at);
  std::reverse(rows.begin(), rows.end());
  return rows;
}

void Viewport::page_up(RowSource& src, int rows, int height) {
  if (src.end_id() <= src.first_id()) return;
  // The new top is rows + height - 1 rows above the bottom, or the very first row.
  RowRef top = bottom(src);
  int moved = 0;
  const int want = rows + height - 1;
  while (moved < want) {
    if (step_back(src, top)) {
      ++moved;
      continue;
    }
    if (!src.load_older()) break;
  }
  if (moved < height) return;  // everything fits on one screen: nothing to scroll
  // The new bottom is height - 1 rows below the new top.
  RowRef new_bottom = top;
  for (int i = 0; i < height - 1; ++i) step_forward(src, new_bottom);
  following_ = false;
  anchor_ = new_bottom;
}

void Viewport::page_down(const RowSource& src, int rows) {
  if (following_) return;
  for (int i = 0; i < rows; ++i) {
    if (!step_forward(src, anchor_)) {
      following_ = true;
      return;
    }
  }
  const RowRef last{src.end_id() - 1, src.rows(src.end_id() - 1) - 1};
  if (anchor_ == last) following_ = true;
}

void Viewport::reveal(RowSource& src, std::int64_t id, int height) {
  following_ = true;
  if (id < src.first_id() || id >= src.end_id()) return;
  // Rows from the first row of `id` to the newest row.
  RowRef at{id, 0};
  int below = 0;
  while (below < height && step_forward(src, at)) ++below;
  if (below < height) return;  // fits with the newest rows: keep following
  // Put the marker row (one above `id`'s first row is part of `id`) at the top.
  RowRef b{id, 0};
  for (int i = 0; i < height - 1; ++i) step_forward(src, b);
  following_ = false;
  anchor_ = b;
}

}  // namespace ftpchat::chat
