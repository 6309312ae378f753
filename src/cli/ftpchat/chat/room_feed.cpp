// RoomFeed: following ROOM/log (see room_feed.hpp). The mount serves log with direct_io
// and attr_timeout 0, so fstat always sees its current size, as tail -f relies on.
#include "room_feed.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace ftpchat::chat {

off_t start_of_last_lines(int fd, off_t size, std::size_t lines) {
  if (lines == 0) return size;
  off_t pos = size;
  std::size_t seen = 0;
  char buf[8192];
  while (pos > 0) {
    const off_t chunk = std::min<off_t>(pos, sizeof buf);
    const ssize_t n = ::pread(fd, buf, static_cast<std::size_t>(chunk), pos - chunk);
    if (n != chunk) return 0;
    for (off_t i = chunk - 1; i >= 0; --i) {
      const off_t at = pos - chunk + i;
      if (buf[i] == '\n' && at != size - 1 && ++seen == lines) return at + 1;
    }
    pos -= chunk;
  }
  return 0;
}

Result<RoomFeed> RoomFeed::open(const std::string& log_path, std::size_t history) {
  UniqueFd fd(::open(log_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOATIME));
  if (!fd && errno == EPERM)  // not the file's owner (allow_other): reads then count as seen
    fd = UniqueFd(::open(log_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return make_error(Errc::io, "cannot open " + log_path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return make_error(Errc::io, "cannot stat " + log_path + ": " + std::strerror(errno));
  RoomFeed feed(std::move(fd));
  feed.start_offset_ = feed.end_offset_ = st.st_size;
  feed.load_older(history);
  return feed;
}

FeedLine RoomFeed::make_line(std::string text, off_t end) {
  FeedLine line{std::move(text), {}, end};
  line.parts = parse_log_line(line.text);
  return line;
}

std::size_t RoomFeed::poll() {
  std::size_t added = 0;
  struct stat st {};
  while (::fstat(fd_.get(), &st) == 0 && st.st_size > end_offset_) {
    char buf[65536];
    const ssize_t n = ::pread(fd_.get(), buf, sizeof buf, end_offset_);
    if (n <= 0) break;
    end_offset_ += n;
    partial_.append(buf, static_cast<std::size_t>(n));
    const off_t partial_start = end_offset_ - static_cast<off_t>(partial_.size());
    std::size_t from = 0;
    for (std::size_t eol; (eol = partial_.find('\n', from)) != std::string::npos; from = eol + 1) {
      lines_.push_back(make_line(partial_.substr(from, eol - from),
                                 partial_start + static_cast<off_t>(eol) + 1));
      ++added;
    }
    partial_.erase(0, from);
  }
  return added;
}

std::size_t RoomFeed::load_older(std::size_t count) {
  if (count == 0 || start_offset_ == 0) return 0;
  const off_t from = start_of_last_lines(fd_.get(), start_offset_, count);
  std::string text(static_cast<std::size_t>(start_offset_ - from), '\0');
  const ssize_t n = ::pread(fd_.get(), text.data(), text.size(), from);
  if (n != static_cast<ssize_t>(text.size())) return 0;
  std::vector<FeedLine> older;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t eol = std::min(text.find('\n', pos), text.size());
    older.push_back(make_line(text.substr(pos, eol - pos), from + static_cast<off_t>(eol) + 1));
    pos = eol + 1;
  }
  for (auto it = older.rbegin(); it != older.rend(); ++it) lines_.push_front(std::move(*it));
  first_id_ -= static_cast<std::int64_t>(older.size());
  start_offset_ = from;
  return older.size();
}

void RoomFeed::add_local(std::string text) {
  FeedLine line{std::move(text), {}, 0};
  line.parts.kind = LineKind::local;
  lines_.push_back(std::move(line));
}

void RoomFeed::mark_seen(std::int64_t id) {
  if (lines_.empty()) return;
  id = std::clamp(id, first_id_, end_id() - 1);
  off_t end = 0;
  for (std::int64_t i = id; i >= first_id_ && end == 0; --i) end = line(i).end;
  if (end <= seen_offset_) return;
  const int flags = ::fcntl(fd_.get(), F_GETFL);
  if (flags < 0) return;
  char byte;
  // The mount reads each request's flags: this one read is not a peek.
  if (::fcntl(fd_.get(), F_SETFL, flags & ~O_NOATIME) != 0) return;
  if (::pread(fd_.get(), &byte, 1, end - 1) == 1) seen_offset_ = end;
  (void)::fcntl(fd_.get(), F_SETFL, flags);
}

}  // namespace ftpchat::chat
