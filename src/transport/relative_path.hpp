// Checks and splits the base-relative paths of the Transport interface. Shared by the
// libcurl transports: a path that reaches a raw protocol command must hold no CR/LF.
#pragma once

#include <string>
#include <string_view>

#include "ftpchat/core/error.hpp"

namespace ftpchat {

// invalid_argument unless `path` is "a/b/c"-shaped: no leading '/', no empty, "." or ".."
// segments, no control characters. "" (the base directory) only if `allow_base`.
Result<void> check_relative_path(std::string_view path, bool allow_base);

struct PathParts {
  std::string parent;  // "" for the base directory, else "a/b" (no trailing '/')
  std::string name;
};
PathParts split_relative_path(std::string_view path);

}  // namespace ftpchat
