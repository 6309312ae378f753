// resolve(): path -> node of the mounted tree (rules in chat_fs.cpp, rule 4 for scratch files).
#include "fs_tree.hpp"

#include <cerrno>

namespace ftpchat::fs {

namespace {
constexpr auto kKnownRoomAge = std::chrono::seconds(30);
}  // namespace

int resolve(const char* path, Target& out) {
  std::string_view p(path);
  if (p == "/") {
    out.node = Node::root;
    return 0;
  }
  p.remove_prefix(1);
  if (p == kRootFileName) {
    out.node = Node::unread;
    return 0;
  }
  const auto slash = p.find('/');
  const std::string_view room_name = p.substr(0, slash);
  auto room = engine().find(room_name, slash == std::string_view::npos
                                           ? std::chrono::milliseconds(1000)
                                           : std::chrono::milliseconds(kKnownRoomAge));
  if (!room) return -ENOENT;
  out.room = std::move(*room);
  if (slash == std::string_view::npos) {
    out.node = Node::room;
    return 0;
  }
  if (!out.room.room) return -EACCES;
  const std::string_view file = p.substr(slash + 1);
  if (file.empty() || file.find('/') != std::string_view::npos) return -ENOENT;
  out.key = std::string(room_name) + "/" + std::string(file);
  if (file == kLog) out.node = Node::log;
  else if (file == kOutbox) out.node = Node::outbox;
  else if (file == kStatus) out.node = Node::status;
  else if (file == kJsonl) out.node = Node::jsonl;
  else if (file == kMembers && out.room.room->member()) out.node = Node::members;
  else if (file == kControl && out.room.room->member()) out.node = Node::control;
  else {
    out.node = Node::scratch;  // rule 4; ENOENT still tells create() which name to make
    return scratch().stat(out.key) ? 0 : -ENOENT;
  }
  return 0;
}

}  // namespace ftpchat::fs
