// Names of things on the server (docs/FORMAT.md, "Layout"): room folders are the room id
// in hex, each holding `header` and one `<writer id hex>.w` file per writer.
#pragma once

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

}  // namespace ftpchat::layout
