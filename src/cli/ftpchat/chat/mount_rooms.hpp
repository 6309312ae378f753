// Where the client's rooms are: given a room folder of an ftpchatfs mount, its parent is the
// mount's root (the folder on another device than its own parent) and every room of the
// mount can be joined; given the root itself, all of its rooms; given a folder with a log
// that is not inside a mount root, that room alone.
#pragma once

#include <string>
#include <vector>

#include "ftpchat/core/error.hpp"

namespace ftpchat::chat {

struct RoomRef {
  std::string name;  // shown in the status line; /join NAME
  std::string dir;   // its folder
};

class MountRooms {
 public:
  static Result<MountRooms> locate(const std::string& dir);

  // The rooms now (a listing of the root: the mount lists the server at most once a second).
  std::vector<RoomRef> list() const;
  // The room the user named on the command line, or the first room of the root.
  const std::string& first_room() const { return first_room_; }
  const std::string& root() const { return root_; }  // empty for a room on its own

 private:
  std::string root_;
  std::string first_room_;
  RoomRef single_;  // when root_ is empty
};

bool is_room_dir(const std::string& dir);

}  // namespace ftpchat::chat
