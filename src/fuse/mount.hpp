// Mounting the engine with libfuse in two steps, so that bad FUSE options are reported
// before the server is contacted: create() checks the options, serve() mounts,
// daemonizes and answers requests until the file system is unmounted.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ftpchat/core/logger.hpp"

struct fuse;

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

class FuseMount {
 public:
  // nullptr when libfuse rejects an option (it prints which one).
  static std::unique_ptr<FuseMount> create(ChatEngine& engine, const MountSpec& spec, Logger& log);
  ~FuseMount();
  FuseMount(const FuseMount&) = delete;
  FuseMount& operator=(const FuseMount&) = delete;

  bool mount();  // false: the kernel refused (libfuse printed why)
  int serve();   // 0 after a clean unmount

 private:
  FuseMount(fuse* fs, ChatEngine& engine, const MountSpec& spec, Logger& log)
      : fs_(fs), engine_(engine), spec_(spec), log_(log) {}
  fuse* fs_;
  ChatEngine& engine_;
  MountSpec spec_;
  Logger& log_;
  bool mounted_ = false;
};

}  // namespace ftpchat
