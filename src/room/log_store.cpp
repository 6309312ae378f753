// LogStore: in-memory rendered log.
#include "ftpchat/room/log_store.hpp"

namespace ftpchat {

std::string LogStore::read(std::uint64_t offset, std::size_t length) const {
  if (offset >= text_.size()) return {};
  return text_.substr(static_cast<std::size_t>(offset), length);
}

}  // namespace ftpchat
