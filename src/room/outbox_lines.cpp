// OutboxLines: line splitting of outbox writes.
#include "ftpchat/room/outbox_lines.hpp"

namespace ftpchat {

static std::optional<std::string> as_message(std::string line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) return std::nullopt;
  return line;
}

std::vector<std::string> OutboxLines::feed(std::string_view bytes) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t nl = bytes.find('\n'); nl != std::string_view::npos;
       nl = bytes.find('\n', start)) {
    pending_.append(bytes.substr(start, nl - start));
    if (auto msg = as_message(std::move(pending_))) out.push_back(std::move(*msg));
    pending_.clear();
    start = nl + 1;
  }
  pending_.append(bytes.substr(start));
  return out;
}

std::optional<std::string> OutboxLines::finish() {
  std::string rest = std::move(pending_);
  pending_.clear();
  return as_message(std::move(rest));
}

}  // namespace ftpchat
