// One room's conversation as the client holds it: the lines of ROOM/log read so far (the
// newest part at start, older parts loaded on demand for scrollback), followed like tail -f
// by reading from the last offset whenever the file has grown. Lines are numbered by ids
// that never change, also when older lines are loaded in front.
// The log is read with O_NOATIME, which the mount takes as a peek (the user has not seen
// those lines yet); mark_seen() tells the mount which lines the screen showed.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

#include "ftpchat/core/error.hpp"
#include "log_line.hpp"
#include "unique_fd.hpp"

namespace ftpchat::chat {

struct FeedLine {
  std::string text;  // exactly as in the log, without the newline
  LogLine parts;
  off_t end = 0;     // offset in the log just after its newline; 0 for a local line
};

class RoomFeed {
 public:
  // Opens LOG (a mounted room's log: opening it syncs the room) with its last `history`
  // lines loaded.
  static Result<RoomFeed> open(const std::string& log_path, std::size_t history);

  // Reads what the log gained since the last call (complete lines only; a line still being
  // written waits for its newline). Returns how many lines were added.
  std::size_t poll();
  // Loads up to `count` lines from before the oldest one held. Returns how many.
  std::size_t load_older(std::size_t count);
  bool holds_start() const { return start_offset_ == 0; }
  // A line of this client's own (command output, errors), after the last one.
  void add_local(std::string text);
  // The user has seen every log line up to and including `id`: one read through the log
  // without O_NOATIME that ends where that line ends (the mount counts it as seen, with
  // everything before it). Only forward; nothing when already marked.
  void mark_seen(std::int64_t id);

  std::int64_t first_id() const { return first_id_; }
  std::int64_t end_id() const { return first_id_ + static_cast<std::int64_t>(lines_.size()); }
  const FeedLine& line(std::int64_t id) const {
    return lines_[static_cast<std::size_t>(id - first_id_)];
  }

 private:
  explicit RoomFeed(UniqueFd fd) : fd_(std::move(fd)) {}
  static FeedLine make_line(std::string text, off_t end);

  UniqueFd fd_;
  off_t start_offset_ = 0;  // where the oldest line held starts in the log
  off_t end_offset_ = 0;    // how far the log has been read
  off_t seen_offset_ = 0;   // how far mark_seen() told the mount
  std::string partial_;     // bytes after the last newline read
  std::deque<FeedLine> lines_;
  std::int64_t first_id_ = 0;
};

// Offset in the first `size` bytes of the file where its last `lines` lines start.
off_t start_of_last_lines(int fd, off_t size, std::size_t lines);

}  // namespace ftpchat::chat
