// Validation of base-relative paths before they become URLs or protocol commands.
#include "relative_path.hpp"

namespace ftpchat {

Result<void> check_relative_path(std::string_view path, bool allow_base) {
  if (path.empty()) {
    if (allow_base) return {};
    return make_error(Errc::invalid_argument, "empty path");
  }
  const std::string quoted = "'" + std::string(path) + "'";
  for (char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f)
      return make_error(Errc::invalid_argument, "path contains a control character");
  }
  if (path.front() == '/')
    return make_error(Errc::invalid_argument, "path " + quoted + " is absolute");
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..")
      return make_error(Errc::invalid_argument,
                        "path " + quoted + " has an empty, '.' or '..' part");
    start = end + 1;
  }
  return {};
}

PathParts split_relative_path(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return {"", std::string(path)};
  return {std::string(path.substr(0, slash)), std::string(path.substr(slash + 1))};
}

}  // namespace ftpchat
