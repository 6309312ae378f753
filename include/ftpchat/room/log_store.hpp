// The rendered text of one room's ROOM/log: append-only, read at any offset.
// Not thread-safe; the owning Room guards it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ftpchat {

class LogStore {
 public:
  void append(std::string_view text) { text_.append(text); }
  std::uint64_t size() const { return text_.size(); }
  std::string read(std::uint64_t offset, std::size_t length) const;

 private:
  std::string text_;
};

}  // namespace ftpchat
