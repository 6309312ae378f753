// Checks that a mount point is usable before anything touches the server.
#pragma once

#include <string>

#include "ftpchat/core/error.hpp"

namespace ftpchat {

// The absolute path of an existing, empty directory; invalid_argument with the fix otherwise.
Result<std::string> check_mountpoint(const std::string& path);

}  // namespace ftpchat
