// MountRooms (see mount_rooms.hpp).
#include "mount_rooms.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

namespace ftpchat::chat {

namespace fs = std::filesystem;

namespace {
bool same_device(const std::string& a, const std::string& b) {
  struct stat sa {
  }, sb{};
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev;
}

// A mount root: a folder whose parent lies on another file system.
bool is_mount_root(const std::string& dir) {
  return !same_device(dir, (fs::path(dir) / "..").string());
}
}  // namespace

bool is_room_dir(const std::string& dir) {
  struct stat st {};
  return ::stat((fs::path(dir) / "log").c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
         ::stat((fs::path(dir) / "outbox").c_str(), &st) == 0;
}

Result<MountRooms> MountRooms::locate(const std::string& dir) {
  std::error_code ec;
  fs::path path = fs::absolute(dir, ec).lexically_normal();
  if (ec || !fs::is_directory(path, ec))
    return make_error(
        Errc::invalid_argument,
        dir + " is not a folder; give a room folder of an ftpchatfs mount, or its root");
  if (path.has_filename() == false && path.has_parent_path()) path = path.parent_path();
  MountRooms rooms;
  if (is_room_dir(path.string())) {
    const std::string parent = path.parent_path().string();
    rooms.first_room_ = path.filename().string();
    if (same_device(path.string(), parent) && is_mount_root(parent)) {
      rooms.root_ = parent;
    } else {
      rooms.single_ = RoomRef{rooms.first_room_, path.string()};
    }
    return rooms;
  }
  rooms.root_ = path.string();
  const std::vector<RoomRef> found = rooms.list();
  if (found.empty())
    return make_error(Errc::not_found,
                      "no room in " + path.string() +
                          "; give a room folder of an ftpchatfs mount or its root (mkdir ROOT/NAME "
                          "creates a room)");
  rooms.first_room_ = found.front().name;
  return rooms;
}

std::vector<RoomRef> MountRooms::list() const {
  if (root_.empty()) return {single_};
  std::vector<RoomRef> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root_, ec)) {
    std::error_code type_ec;
    if (!entry.is_directory(type_ec)) continue;
    const std::string room_dir = entry.path().string();
    if (is_room_dir(room_dir)) out.push_back(RoomRef{entry.path().filename().string(), room_dir});
  }
  std::sort(out.begin(), out.end(),
            [](const RoomRef& a, const RoomRef& b) { return a.name < b.name; });
  return out;
}

}  // namespace ftpchat::chat
