// FuseMount: the libfuse life cycle, with the engine as the filesystem's private data.
#include "mount.hpp"

#include "chat_fs.hpp"
#include "ftpchat/room/chat_engine.hpp"

namespace ftpchat {

namespace {
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

std::unique_ptr<FuseMount> FuseMount::create(ChatEngine& engine, const MountSpec& spec,
                                             Logger& log) {
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
  fuse* fs = fuse_new(&args, &chat_fs_operations(), sizeof(fuse_operations), &engine);
  fuse_opt_free_args(&args);
  if (fs == nullptr) return nullptr;
  return std::unique_ptr<FuseMount>(new FuseMount(fs, engine, spec, log));
}

FuseMount::~FuseMount() {
  if (mounted_) fuse_unmount(fs_);
  fuse_destroy(fs_);
}

bool FuseMount::mount() {
  mounted_ = fuse_mount(fs_, spec_.mountpoint.c_str()) == 0;
  return mounted_;
}

int FuseMount::serve() {
  if (fuse_daemonize(spec_.foreground ? 1 : 0) != 0) return 1;
  if (spec_.log_to_syslog) log_.use_syslog();
  log_.info("mounted " + spec_.fsname + " on " + spec_.mountpoint);
  fuse_session* session = fuse_get_session(fs_);
  if (fuse_set_signal_handlers(session) != 0) return 1;
  std::unique_ptr<fuse_loop_config, LoopConfigDeleter> loop(fuse_loop_cfg_create());
  fuse_loop_cfg_set_max_threads(loop.get(), 16);
  const int status = fuse_loop_mt(fs_, loop.get());
  fuse_remove_signal_handlers(session);
  engine_.stop_poller();
  log_.info("unmounted " + spec_.mountpoint);
  return status;
}

}  // namespace ftpchat
