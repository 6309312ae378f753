// A read_to() sink for tests: keeps the bytes and how they came (pieces, the largest one), and
// can say stop at a given piece.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

#include "ftpchat/transport/transport.hpp"

namespace ftpchat::testing {

struct PieceRecorder {
  std::string bytes;
  std::size_t pieces = 0;
  std::size_t largest = 0;
  std::size_t stop_at_piece = 0;  // 0: never; n: the n-th piece is taken, then "stop"

  ByteSink sink() {
    return [this](std::string_view piece) {
      bytes.append(piece);
      ++pieces;
      largest = std::max(largest, piece.size());
      return pieces != stop_at_piece;
    };
  }
};

}  // namespace ftpchat::testing
