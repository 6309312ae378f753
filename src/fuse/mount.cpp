// serve_mount: the libfuse life cycle, with the engine as the filesystem's private data.
#include "mount.hpp"

#include <memory>

#include "chat_fs.hpp"
#include "ftpchat/room/chat_engine.hpp"

namespace ftpchat {

namespace {
struct FuseDeleter {
  void operator()(fuse* f) const { fuse_destroy(f); }
};
struct LoopConfigDeleter {
  void operator()(fuse_loop_config* c) const { fuse_loop_cfg_destroy(c); }
};

std::string escape_option_value(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == ',' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}
}  // namespace

MountOutcome serve_mount(ChatEngine& engine, const MountSpec& spec, Logger& log) {
  std::vector<std::string> argv_storage{"ftpchatfs", "-o",
                                        "fsname=" + escape_option_value(spec.fsname) +
                                            ",subtype=ftpchatfs,default_permissions"};
  for (const std::string& opt : spec.fuse_options) {
    argv_storage.push_back("-o");
    argv_storage.push_back(opt);
  }
  if (spec.debug) argv_storage.push_back("-d");
  std::vector<char*> argv;
  for (std::string& s : argv_storage) argv.push_back(s.data());
  fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());

  MountOutcome outcome;
  std::unique_ptr<fuse, FuseDeleter> fs(
      fuse_new(&args, &chat_fs_operations(), sizeof(fuse_operations), &engine));
  fuse_opt_free_args(&args);
  if (!fs) return outcome;  // libfuse printed which option it rejected
  if (fuse_mount(fs.get(), spec.mountpoint.c_str()) != 0) return outcome;
  outcome.mounted = true;
  fuse_session* session = fuse_get_session(fs.get());
  if (fuse_daemonize(spec.foreground ? 1 : 0) != 0) {
    fuse_unmount(fs.get());
    outcome.loop_status = 1;
    return outcome;
  }
  if (spec.log_to_syslog) log.use_syslog();
  log.info("mounted " + spec.fsname + " on " + spec.mountpoint);
  if (fuse_set_signal_handlers(session) != 0) {
    fuse_unmount(fs.get());
    outcome.loop_status = 1;
    return outcome;
  }
  std::unique_ptr<fuse_loop_config, LoopConfigDeleter> loop(fuse_loop_cfg_create());
  fuse_loop_cfg_set_max_threads(loop.get(), 16);
  outcome.loop_status = fuse_loop_mt(fs.get(), loop.get());
  fuse_remove_signal_handlers(session);
  fuse_unmount(fs.get());
  engine.stop_poller();
  log.info("unmounted " + spec.mountpoint);
  return outcome;
}

}  // namespace ftpchat
