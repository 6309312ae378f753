// ftpchatfs: mount a remote directory of encrypted chat rooms. Parses the command line,
// checks everything that can fail before mounting (so failures give an exit status and
// one line on stderr), then hands over to the FUSE layer.
#include <sodium.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "exit_status.hpp"
#include "identity_source.hpp"
#include "parse_command_line.hpp"
#include "ftpchat/room/chat_engine.hpp"
#include "ftpchat/version.hpp"
#include "make_transport.hpp"
#include "mountpoint_check.hpp"
#include "passphrase.hpp"
#include "user_paths.hpp"
#include "fuse/mount.hpp"
#include "fuse/mount_options.hpp"

namespace ftpchat {
namespace {

struct CommandLine {
  std::string url;
  std::string mountpoint;
  bool foreground = false;
  bool debug = false;
  std::vector<std::string> o_values;
};

int fail(int status, const std::string& message) {
  std::fprintf(stderr, "ftpchatfs: %s\n", message.c_str());
  return status;
}

std::string help_footer() {
  std::string text = "\nMount options (-o NAME[=VALUE], comma-separated or repeated):\n";
  for (const OptionDoc& doc : mount_option_docs()) {
    std::string name = doc.name;
    name.resize(std::max<std::size_t>(name.size() + 2, 22), ' ');
    text += "  " + name + doc.help + "\n";
  }
  text +=
      "  (other -o options go to FUSE, e.g. allow_other; see mount.fuse3(8))\n"
      "\nExamples:\n"
      "  ftpchatfs ftp://alice@127.0.0.1:2121/chat/ ~/chat -o nick=alice,passfile=~/.chatpass\n"
      "  mkdir ~/chat/general && echo hello >> ~/chat/general/outbox\n"
      "  tail -f ~/chat/general/log\n"
      "  fusermount3 -u ~/chat\n"
      "\nSee ftpchatfs(1).\n";
  return text;
}

int run(const CommandLine& cli) {
  auto options = parse_mount_options(cli.o_values);
  if (!options) return fail(kExitUsage, describe(options.error()));
  MountOptions& opts = options.value();
  if (opts.engine.nick.empty()) opts.engine.nick = user_login_name();
  if (opts.engine.nick.size() > kMaxNickBytes)
    return fail(kExitUsage, "nick is longer than 64 bytes; choose a shorter -o nick=");
  opts.engine.state_dir = user_state_dir();
  opts.engine.cache_dir = user_cache_dir();

  auto url = parse_remote_url(cli.url);
  if (!url) return fail(kExitUsage, describe(url.error()));
  auto mountpoint = check_mountpoint(cli.mountpoint);
  if (!mountpoint) return fail(kExitMountpoint, mountpoint.error().detail);
  // Member rooms open with the identity; then the room passphrase is asked for only if
  // passphrase rooms are there to open (engine.start()), before the mount daemonizes.
  auto identity = load_identity(opts.chatid, opts.chatid_passfile);
  if (!identity) return fail(exit_status_for(identity.error().code), describe(identity.error()));
  opts.engine.identity = identity.value();
  SecretBytes passphrase;
  if (!opts.engine.identity || passphrase_given(opts.passfile)) {
    auto given = obtain_passphrase(opts.passfile);
    if (!given) return fail(kExitUsage, given.error().detail);
    passphrase = std::move(given.value());
  } else {
    opts.engine.ask_passphrase = [] { return obtain_passphrase(""); };
  }

  Logger log("ftpchatfs", cli.debug ? LogLevel::debug : LogLevel::info);
  if (!opts.logfile.empty()) log.use_file(std::filesystem::absolute(opts.logfile).string());
  opts.transport.verbose = cli.debug;
  if (opts.transport.insecure)
    log.warning("-o insecure: the server's identity is NOT verified; anyone on the path can "
                "pretend to be it");
  auto transport = make_transport(url.value(), opts.transport, log);
  if (!transport) return fail(exit_status_for(transport.error().code), describe(transport.error()));

  WallClock wall;
  ChatEngine engine(std::move(transport.value()), opts.engine, std::move(passphrase), log, wall,
                    transport_factory(url.value(), opts.transport, log));
  MountSpec spec;
  spec.mountpoint = mountpoint.value();
  spec.fsname = url->redacted();
  spec.fuse_options = opts.fuse_options;
  spec.foreground = cli.foreground || cli.debug;
  spec.debug = cli.debug;
  spec.log_to_syslog = !spec.foreground && opts.logfile.empty();
  auto fuse_mount = FuseMount::create(engine, spec, log);
  if (!fuse_mount) return fail(kExitUsage, "bad mount option (see the message above and --help)");
  if (auto started = engine.start(); !started)
    return fail(exit_status_for(started.error().code), describe(started.error()));
  if (!fuse_mount->mount())
    return fail(kExitMountpoint, "cannot mount on " + spec.mountpoint +
                                     " (see the message above; is /dev/fuse available?)");
  return fuse_mount->serve() == 0 ? kExitOk : kExitFailure;
}

}  // namespace
}  // namespace ftpchat

int main(int argc, char** argv) {
  using namespace ftpchat;
  if (sodium_init() < 0) return fail(kExitFailure, "cannot initialise libsodium");

  CommandLine cli;
  CLI::App app{"ftpchatfs " FTPCHAT_VERSION
               " - mount a directory of end-to-end encrypted chat rooms on an FTP, FTPS, SFTP or "
               "WebDAV server",
               "ftpchatfs"};
  app.set_version_flag("-V,--version", "ftpchatfs " FTPCHAT_VERSION);
  app.add_option("URL", cli.url,
                 "remote directory: ftp://[user[:password]@]host[:port]/path/ (or ftps, sftp, "
                 "dav, davs, file)")
      ->required();
  app.add_option("MOUNTPOINT", cli.mountpoint, "empty local directory to mount on")->required();
  app.add_flag("-f,--foreground", cli.foreground, "stay in the foreground");
  app.add_flag("-d,--debug", cli.debug, "debug log (implies -f)");
  app.add_option("-o", cli.o_values, "mount options, see below")
      ->type_name("OPT[,OPT...]")
      ->allow_extra_args(false);
  app.footer(help_footer());
  if (auto done = parse_command_line(app, argc, argv, "ftpchatfs")) return *done;
  return run(cli);
}
