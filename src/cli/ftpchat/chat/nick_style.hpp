// Per-nick colours and mentions: pure functions, so every client gives a nick the same
// colour (a stable hash, not the order nicks appear in) and tests can check both.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace ftpchat::chat {

// FNV-1a over the nick's bytes: stable across runs, machines and versions.
std::uint32_t nick_hash(std::string_view nick);

// Index into a palette of `palette_size` colours (0 when the palette is empty).
std::size_t nick_colour_index(std::string_view nick, std::size_t palette_size);

struct Range {
  std::size_t begin = 0, end = 0;
  bool operator==(const Range&) const = default;
};

// Where `nick` is mentioned in `text`: whole words only (the characters either side are not
// letters, digits, '_' or '-', nor any non-ASCII byte), ASCII letters compared without case.
// So "alice:", "@alice" and "ALICE" mention alice; "malice" and "alice_2" do not.
std::vector<Range> find_mentions(std::string_view text, std::string_view nick);

}  // namespace ftpchat::chat
