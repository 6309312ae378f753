// Which rows of a room's conversation are on screen. The view either follows the newest
// line or stays anchored to a line (after PgUp), so lines arriving meanwhile do not move what
// the user is reading. Older history is loaded when PgUp reaches the top of what is held.
#pragma once

#include <cstdint>
#include <vector>

namespace ftpchat::chat {

// What the viewport needs to know about the lines: their ids and how many rows each takes
// at the current width.
class RowSource {
 public:
  virtual ~RowSource() = default;
  virtual std::int64_t first_id() const = 0;
  virtual std::int64_t end_id() const = 0;
  virtual int rows(std::int64_t id) const = 0;  // at least 1
  virtual bool load_older() = 0;                // true if lines were added before first_id
};

struct RowRef {
  std::int64_t id = 0;
  int row = 0;  // row of that line, 0 = its first
  bool operator==(const RowRef&) const = default;
};

class Viewport {
 public:
  // The rows on screen, top to bottom (fewer than `height` when the conversation is short).
  std::vector<RowRef> visible(const RowSource& src, int height) const;
  void page_up(RowSource& src, int rows, int height);
  void page_down(const RowSource& src, int rows);
  void follow() { following_ = true; }
  bool following() const { return following_; }
  // Shows the line `id` near the top of the screen (the first unread one) if the newest
  // rows would push it off; else keeps following.
  void reveal(RowSource& src, std::int64_t id, int height);

 private:
  bool step_back(const RowSource& src, RowRef& at) const;
  bool step_forward(const RowSource& src, RowRef& at) const;
  RowRef bottom(const RowSource& src) const;

  bool following_ = true;
  RowRef anchor_;  // the bottom row on screen when not following
};

}  // namespace ftpchat::chat
