// user_state_dir and user_login_name: the same answers for the mount and the ftpchat command,
// so both use the same writer ids for the same rooms.
#include "user_paths.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

namespace ftpchat {

std::filesystem::path user_state_dir() {
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg != nullptr && *xdg == '/')
    return std::filesystem::path(xdg) / "ftpchatfs";
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') {
    const passwd* pw = getpwuid(getuid());
    home = pw != nullptr ? pw->pw_dir : "/tmp";
  }
  return std::filesystem::path(home) / ".local/state/ftpchatfs";
}

std::string user_login_name() {
  const passwd* pw = getpwuid(getuid());
  return pw != nullptr ? pw->pw_name : "anonymous";
}

}  // namespace ftpchat
