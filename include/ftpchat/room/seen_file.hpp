// The state folder's record of what this user has seen of a room (room/seen_tracker.hpp), so
// that it survives remounts: one line per writer, `<hex(writer id)> <seq, 20 digits>`, each
// line always 54 bytes. A watermark that moves is overwritten in place, so saving needs no
// new disk blocks (it works on a full disk) unless a writer is new; no fsync: after a crash
// the file may lag, which only shows messages as unread again. Saving merges with the file
// (the higher seq wins), so two programs sharing the state folder (a mount and `ftpchat read`)
// never move each other's marks back.
#pragma once

#include <filesystem>

#include "ftpchat/core/error.hpp"
#include "ftpchat/room/seen_tracker.hpp"

namespace ftpchat {

class SeenFile {
 public:
  static constexpr std::size_t kLineBytes = 32 + 1 + 20 + 1;

  explicit SeenFile(std::filesystem::path path) : path_(std::move(path)) {}

  // The watermarks in the file; none when it is missing or unreadable. Damaged lines are
  // skipped.
  SeenTracker::Watermarks load() const;
  // Writes every watermark above the file's own (creating the file and its folder, 0700,
  // when missing).
  Result<void> save(const SeenTracker::Watermarks& seen) const;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace ftpchat
