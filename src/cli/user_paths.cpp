// user_state_dir, user_cache_dir and user_login_name: the same answers for the mount and the ftpchat command,
// so both use the same writer ids for the same rooms.
#include "user_paths.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

namespace ftpchat {

std::filesystem::path home_dir() {
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') {
    const passwd* pw = getpwuid(getuid());
    home = pw != nullptr ? pw->pw_dir : "/tmp";
  }
  return home;
}

namespace {

// $VAR/ftpchatfs when VAR holds an absolute path, else ~/FALLBACK/ftpchatfs (XDG rules).
std::filesystem::path xdg_dir(const char* var, const char* fallback) {
  if (const char* xdg = std::getenv(var); xdg != nullptr && *xdg == '/')
    return std::filesystem::path(xdg) / "ftpchatfs";
  return home_dir() / fallback / "ftpchatfs";
}

}  // namespace

std::filesystem::path user_state_dir() { return xdg_dir("XDG_STATE_HOME", ".local/state"); }

std::filesystem::path user_cache_dir() { return xdg_dir("XDG_CACHE_HOME", ".cache"); }

std::filesystem::path user_data_dir() { return xdg_dir("XDG_DATA_HOME", ".local/share"); }

std::string user_login_name() {
  const passwd* pw = getpwuid(getuid());
  return pw != nullptr ? pw->pw_name : "anonymous";
}

}  // namespace ftpchat
