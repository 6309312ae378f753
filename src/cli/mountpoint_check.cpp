// check_mountpoint: exists, is a directory, is empty, is not a dead FUSE mount.
#include "mountpoint_check.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace ftpchat {

Result<std::string> check_mountpoint(const std::string& path) {
  std::error_code ec;
  const std::string abs = std::filesystem::absolute(path, ec).lexically_normal().string();
  struct stat st{};
  if (::stat(abs.c_str(), &st) != 0) {
    if (errno == ENOTCONN)
      return make_error(Errc::invalid_argument, "mount point " + abs +
                                                    " is a dead FUSE mount; run fusermount3 -u " + abs);
    if (errno == ENOENT)
      return make_error(Errc::invalid_argument,
                        "mount point " + abs + " does not exist; create it with mkdir");
    return make_error(Errc::invalid_argument, "mount point " + abs + ": " + std::strerror(errno));
  }
  if (!S_ISDIR(st.st_mode))
    return make_error(Errc::invalid_argument, "mount point " + abs + " is not a directory");
  DIR* dir = ::opendir(abs.c_str());
  if (dir == nullptr)
    return make_error(Errc::invalid_argument, "mount point " + abs + ": " + std::strerror(errno));
  bool empty = true;
  while (dirent* entry = ::readdir(dir)) {
    if (std::strcmp(entry->d_name, ".") != 0 && std::strcmp(entry->d_name, "..") != 0) {
      empty = false;
      break;
    }
  }
  ::closedir(dir);
  if (!empty)
    return make_error(Errc::invalid_argument,
                      "mount point " + abs + " is not empty; use an empty directory");
  return abs;
}

}  // namespace ftpchat
