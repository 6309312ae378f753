// Mounting the engine with libfuse: create, mount, daemonize, serve until unmounted.
#pragma once

#include <string>
#include <vector>

#include "ftpchat/core/logger.hpp"

namespace ftpchat {

class ChatEngine;

struct MountSpec {
  std::string mountpoint;
  std::string fsname;                      // shown in /proc/mounts and df (no password)
  std::vector<std::string> fuse_options;   // extra -o options for libfuse
  bool foreground = false;
  bool debug = false;                      // libfuse's request trace too
  bool log_to_syslog = false;              // once daemonized
};

struct MountOutcome {
  bool mounted = false;   // false: fuse_new/fuse_mount failed (error already printed)
  int loop_status = 0;    // fuse_loop_mt's result once mounted
};

MountOutcome serve_mount(ChatEngine& engine, const MountSpec& spec, Logger& log);

}  // namespace ftpchat
