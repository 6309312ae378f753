// Internal to the record module: the fields of a version 2 header (docs/FORMAT.md, "Header
// (version 2)"), once parse_header has seen its first line.
#pragma once

#include <string_view>

#include "ftpchat/record/header.hpp"

namespace ftpchat {

Result<RoomHeader> parse_header_v2(std::string_view raw);

}  // namespace ftpchat
