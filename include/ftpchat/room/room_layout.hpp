// Names of things on the server (docs/FORMAT.md, "Layout"): room folders are the room id
// in hex, each holding `header` and period folders ("YYYY-MM", UTC month) of writer files,
// one `<writer id hex>.w` per writer and period. First-edition rooms keep their writer files
// beside the header; they are still read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ftpchat/core/bytes.hpp"

namespace ftpchat::layout {

inline constexpr std::string_view kHeaderFile = "header";
inline constexpr std::string_view kWriterSuffix = ".w";

inline std::string room_folder(const Id128& room_id) { return to_hex(room_id); }
inline bool is_room_folder(std::string_view name) { return id_from_hex(name).has_value(); }

inline std::string writer_file(const Id128& writer) {
  return to_hex(writer) + std::string(kWriterSuffix);
}
inline std::optional<Id128> parse_writer_file(std::string_view name) {
  if (!name.ends_with(kWriterSuffix)) return std::nullopt;
  return id_from_hex(name.substr(0, name.size() - kWriterSuffix.size()));
}

inline std::string join(std::string_view dir, std::string_view name) {
  return std::string(dir) + "/" + std::string(name);
}

// The period folder for a moment: its UTC year and month, "2026-11".
std::string period_of(std::int64_t unix_ms);
// Exactly "YYYY-MM" with a month from 01 to 12.
bool is_period_folder(std::string_view name);

}  // namespace ftpchat::layout
