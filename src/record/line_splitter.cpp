// Splits fetched writer-file bytes into record lines. Torn appends leave partial lines; the
// writer's next append starts with '\n', so a torn line ends up as one bad line, never more.
#include <algorithm>

#include "ftpchat/record/record.hpp"

namespace ftpchat {

std::vector<std::string> LineSplitter::feed(std::string_view bytes) {
  std::vector<std::string> lines;
  while (!bytes.empty()) {
    const std::size_t eol = bytes.find('\n');
    const std::string_view chunk = bytes.substr(0, eol);
    if (discarding_) {
      // Rest of an oversized line: nothing of it can be a valid record.
    } else if (pending_.size() + chunk.size() > kMaxRecordLineBytes) {
      // Bound memory against a hostile or corrupt file: drop the line, keep dropping
      // until its newline.
      pending_.clear();
      pending_.shrink_to_fit();
      discarding_ = true;
    } else {
      pending_ += chunk;
    }
    if (eol == std::string_view::npos) break;
    if (!discarding_ && !pending_.empty()) lines.push_back(std::move(pending_));
    pending_.clear();
    discarding_ = false;
    bytes.remove_prefix(eol + 1);
  }
  return lines;
}

}  // namespace ftpchat
