// Writer ids for tests: id n is n in its first byte, zeros after, so ids sort by n.
#pragma once

#include <cstdint>

#include "ftpchat/core/bytes.hpp"

namespace ftpchat::testing {

inline Id128 writer_id(int n) {
  Id128 id{};
  id[0] = static_cast<std::uint8_t>(n);
  return id;
}

}  // namespace ftpchat::testing
