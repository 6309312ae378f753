// The mounted tree's paths: the mount's state as FUSE private data, and resolve(), which
// turns a path into the node it names (root, a room, one of a room's files, a scratch file).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "fuse_api.hpp"
#include "ftpchat/room/chat_engine.hpp"
#include "scratch_files.hpp"

namespace ftpchat::fs {

inline constexpr std::string_view kLog = "log";
inline constexpr std::string_view kOutbox = "outbox";
inline constexpr std::string_view kStatus = "status";
inline constexpr std::string_view kJsonl = "log.jsonl";
inline constexpr std::string_view kMembers = "members";   // member rooms only
inline constexpr std::string_view kControl = "control";   // member rooms only

// The mount's state (fuse private_data after init).
struct MountState {
  ChatEngine& engine;
  ScratchFiles scratch;
};

inline MountState& state() { return *static_cast<MountState*>(fuse_get_context()->private_data); }
inline ChatEngine& engine() { return state().engine; }
inline ScratchFiles& scratch() { return state().scratch; }

enum class Node { root, room, log, outbox, status, jsonl, members, control, scratch, unread };
// unread: MOUNT/.unread

struct Target {
  Node node = Node::root;
  RoomEntry room;
  std::string key;  // "ROOM/NAME" of a file in a room (the scratch store's key)
};

// Resolves a path. Unknown names are ENOENT, files of an unreadable room EACCES; a name that
// is none of a room's own files is a scratch file (node set even when it is ENOENT, so that
// create() knows which name to make).
int resolve(const char* path, Target& out);

}  // namespace ftpchat::fs
