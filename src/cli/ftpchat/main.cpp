// ftpchat: rooms without FUSE (init, send, read, verify) and a terminal client for a mounted
// room (chat). The only file of this command that includes CLI11.
#include <sodium.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "chat_client.hpp"
#include "cli/exit_status.hpp"
#include "cli/parse_command_line.hpp"
#include "commands.hpp"
#include "ftpchat/version.hpp"

namespace {

using namespace ftpchat;

constexpr const char* kFooter = R"(
Passphrase: --passfile FILE (first line), else FTPCHAT_PASSPHRASE, else a no-echo prompt.
URL/ROOM is the URL ftpchatfs mounts plus a room name; the rooms are the same rooms.

Examples:
  ftpchat init ftp://alice@127.0.0.1:2121/chat/general --passfile ~/.chatpass
  ftpchat send ftp://alice@127.0.0.1:2121/chat/general hello everyone
  make 2>&1 | tail -3 | ftpchat send ftp://bot@127.0.0.1:2121/chat/builds --nick ci
  ftpchat read --follow --json ftp://alice@127.0.0.1:2121/chat/general | jq -r .text
  ftpchat verify ftp://alice@127.0.0.1:2121/chat/general
  ftpchat chat ~/chat/general        # on a room folder of an ftpchatfs mount

Exit status: 0 ok; 1 other failure, or verify found a damaged room; 2 usage; 4 server
unreachable; 5 login refused; 6 wrong passphrase; 7 remote directory or room missing.
See ftpchat(1).
)";

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) {
    std::fprintf(stderr, "ftpchat: cannot initialise libsodium\n");
    return kExitFailure;
  }
  CommonOptions opts;
  std::string room_url, room_dir, cipher = "xchacha20poly1305", compress = "none", tls = "none";
  std::vector<std::string> words;
  bool follow = false, json = false;
  unsigned poll_ms = 1000, history = 20;

  CLI::App app{"ftpchat " FTPCHAT_VERSION
               " - use end-to-end encrypted ftpchatfs rooms without FUSE, or chat in a mounted "
               "room",
               "ftpchat"};
  app.set_version_flag("-V,--version", "ftpchat " FTPCHAT_VERSION);
  app.require_subcommand(1);
  app.footer(kFooter);
  auto add_common = [&](CLI::App* sub) {
    sub->add_option("--passfile", opts.passfile, "read the passphrase from the first line of FILE")
        ->type_name("FILE");
    sub->add_option("--nick", opts.nick, "name shown to others (default: your login name)")
        ->type_name("NAME");
    sub->add_option("--tls", tls, "explicit TLS on ftp://: require, try or none (default none)")
        ->check(CLI::IsMember({"require", "try", "none"}))
        ->type_name("MODE");
    sub->add_option("--cacert", opts.transport.cacert, "also trust the CA certificates in FILE")
        ->type_name("FILE");
    sub->add_flag("--insecure", opts.transport.insecure,
                  "do not verify TLS certificates or SSH host keys");
    sub->add_option("--identity", opts.transport.identity, "SSH private key for sftp://")
        ->type_name("FILE");
    sub->add_flag("--accept-new-hostkey", opts.transport.accept_new_hostkey,
                  "record an unknown SSH host key in ~/.ssh/known_hosts (never a changed one)");
    sub->add_flag("-v,--verbose", opts.verbose, "log what the engine does on stderr");
  };

  CLI::App* init = app.add_subcommand("init", "create the room URL/ROOM on the server");
  init->add_option("URL/ROOM", room_url, "remote directory URL plus the new room's name")->required();
  init->add_option("--cipher", cipher, "xchacha20poly1305 (default) or mono24 (legacy, INSECURE)")
      ->check(CLI::IsMember({"xchacha20poly1305", "mono24"}))
      ->type_name("SUITE");
  add_common(init);

  CLI::App* send = app.add_subcommand("send", "send MESSAGE (the words joined), or each line of stdin");
  send->add_option("URL/ROOM", room_url, "the room")->required();
  send->add_option("MESSAGE", words, "message text; none: read lines from stdin");
  send->add_option("--compress", compress, "zstd: compress when that saves bytes (default none)")
      ->check(CLI::IsMember({"zstd", "none"}))
      ->type_name("ALGO");
  add_common(send);

  CLI::App* read = app.add_subcommand("read", "print the room's log");
  read->add_option("URL/ROOM", room_url, "the room")->required();
  read->add_flag("-f,--follow", follow, "keep printing new messages, like tail -f");
  read->add_flag("--json", json, "JSON lines {id,time,from,text}, as in ROOM/log.jsonl");
  read->add_option("--poll", poll_ms, "with --follow: check the server every MS ms (default 1000)")
      ->check(CLI::Range(50u, 3600000u))
      ->type_name("MS");
  add_common(read);

  CLI::App* verify = app.add_subcommand(
      "verify", "check every record of the room; exit status 0 only if the room is sound");
  verify->add_option("URL/ROOM", room_url, "the room")->required();
  add_common(verify);

  CLI::App* chat = app.add_subcommand(
      "chat", "terminal chat on a mounted room folder: shows the log, sends each typed line");
  chat->add_option("ROOMDIR", room_dir, "a room folder inside an ftpchatfs mount")->required();
  chat->add_option("--history", history, "lines of history to show first (default 20)")
      ->type_name("N");

  if (auto done = parse_command_line(app, argc, argv, "ftpchat")) return *done;
  opts.compress = compress == "zstd";
  opts.transport.tls = tls == "require" ? TlsMode::require
                       : tls == "try"   ? TlsMode::try_tls
                                        : TlsMode::none;
  if (*init) {
    const Suite suite = cipher == "mono24" ? Suite::mono24_insecure : Suite::xchacha20poly1305;
    return run_init(room_url, opts, suite);
  }
  if (*send) return run_send(room_url, opts, words);
  if (*read) return run_read(room_url, opts, follow, json, std::chrono::milliseconds(poll_ms));
  if (*verify) return run_verify(room_url, opts);
  return run_chat(room_dir, history);
}
