// ftpchat: rooms without FUSE (init, send, read, verify), identities and member rooms (id,
// invite, remove, role, members), and a terminal client for a mounted room (chat). The only
// file of this command that includes CLI11.
#include <sodium.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "chat/chat_command.hpp"
#include "chat_client.hpp"
#include "cli/exit_status.hpp"
#include "cli/parse_command_line.hpp"
#include "commands.hpp"
#include "ftpchat/version.hpp"

namespace {

using namespace ftpchat;

constexpr const char* kFooter = R"(
Passphrase rooms: --passfile FILE (first line), else FTPCHAT_PASSPHRASE, else a no-echo prompt;
with an identity, asked only when the room is not one of your member rooms.
Member rooms: your identity, $XDG_DATA_HOME/ftpchatfs/identity or --chatid FILE (made by
ftpchat id new; a sealed one's passphrase: --chatid-passfile, FTPCHAT_ID_PASSPHRASE, a prompt).
URL/ROOM is the URL ftpchatfs mounts plus a room name; the rooms are the same rooms.

Examples:
  ftpchat init ftp://alice@127.0.0.1:2121/chat/general --passfile ~/.chatpass
  ftpchat id new                     # once: prints your public id (ftpchat1...)
  ftpchat id certify                 # optional: sign it with ~/.ssh/id_ed25519; then
  ftpchat id show --ssh              # gives the id and signature to paste, checked with:
  ftpchat id check --signature paste.txt --allowed-signers ~/.ssh/allowed_signers --principal alice
  ftpchat init ftp://alice@127.0.0.1:2121/chat/team --member bob=ftpchat1AbC...
  ftpchat invite ftp://alice@127.0.0.1:2121/chat/team carol ftpchat1XyZ...
  ftpchat remove ftp://alice@127.0.0.1:2121/chat/team bob
  ftpchat send ftp://alice@127.0.0.1:2121/chat/general hello everyone
  make 2>&1 | tail -3 | ftpchat send ftp://bot@127.0.0.1:2121/chat/builds --nick ci
  ftpchat read --follow --json ftp://alice@127.0.0.1:2121/chat/general | jq -r .text
  ftpchat verify ftp://alice@127.0.0.1:2121/chat/general
  ftpchat chat ~/chat/general        # on a room folder of an ftpchatfs mount

Exit status: 0 ok; 1 other failure, or verify found a damaged room; 2 usage; 4 server
unreachable; 5 login refused; 6 wrong passphrase (room or identity), or not a member;
7 remote directory or room missing.
See ftpchat(1).
)";

// `ftpchat chat --help` ends with this and the list of keys and commands that /help shows.
constexpr const char* kChatIntro = R"(
On a terminal, chat is full-screen: the conversation of one room scrolls above a status line
(rooms with unread counts, your nick, lines still pending) and the input line; messages that
arrive never disturb the line being typed. Unread counts are the mount's (ROOM/status): what
arrived before chat started counts too, and only lines the screen showed count as seen (the
logs of the other rooms are read with O_NOATIME). Your own lines are marked [pending] until
the mount's ROOM/status shows them sent, then [on server]. NO_COLOR turns colours off.
Without a terminal (a pipe), chat prints the log as it grows and sends each input line.

Keys and commands:
)";

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) {
    std::fprintf(stderr, "ftpchat: cannot initialise libsodium\n");
    return kExitFailure;
  }
  CommonOptions opts;
  std::string room_url, cipher = "xchacha20poly1305", compress = "none", tls = "none";
  std::vector<std::string> words, members;
  std::string name, public_id, who, role = "member";
  std::string ssh_key, signature, allowed_signers, principal;
  bool follow = false, json = false, member_room = false, seal = false, show_ssh = false;
  unsigned poll_ms = 1000, history = 20;
  ChatArgs chat_args;

  CLI::App app{"ftpchat " FTPCHAT_VERSION
               " - use end-to-end encrypted ftpchatfs rooms without FUSE, or chat in a mounted "
               "room",
               "ftpchat"};
  app.set_version_flag("-V,--version", "ftpchat " FTPCHAT_VERSION);
  app.require_subcommand(1);
  app.footer(kFooter);
  auto add_identity = [&](CLI::App* sub) {
    sub->add_option("--chatid", opts.chatid,
                    "your identity file for member rooms (default: "
                    "$XDG_DATA_HOME/ftpchatfs/identity)")
        ->type_name("FILE");
    sub->add_option("--chatid-passfile", opts.chatid_passfile,
                    "the passphrase of a sealed identity file (else FTPCHAT_ID_PASSPHRASE, else a "
                    "prompt)")
        ->type_name("FILE");
  };
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
    sub->add_option("--endpoint", opts.transport.endpoint,
                    "s3://: the server, e.g. http://127.0.0.1:7480 (default: AWS_ENDPOINT_URL_S3, "
                    "AWS_ENDPOINT_URL, else AWS)")
        ->type_name("URL");
    sub->add_option("--region", opts.transport.region,
                    "s3://: the signing region (default: AWS_REGION, AWS_DEFAULT_REGION, "
                    "~/.aws/config, else us-east-1)")
        ->type_name("NAME");
    sub->add_flag("--rewrite", opts.transport.rewrite,
                  "ftp://, s3://, dav://: never append; each send rewrites this client's own file");
    sub->add_flag("-v,--verbose", opts.verbose, "log what the engine does on stderr");
    add_identity(sub);
  };

  CLI::App* init = app.add_subcommand("init", "create the room URL/ROOM on the server");
  init->add_option("URL/ROOM", room_url, "remote directory URL plus the new room's name")->required();
  init->add_option("--cipher", cipher, "xchacha20poly1305 (default) or mono24 (legacy, INSECURE)")
      ->check(CLI::IsMember({"xchacha20poly1305", "mono24"}))
      ->type_name("SUITE");
  init->add_option("--member", members,
                   "make a member room owned by your identity, with NAME=PUBLIC_ID as a first "
                   "member (repeat for more)")
      ->type_name("NAME=ID");
  init->add_flag("--member-room", member_room,
                 "make a member room even without --member (you are its only member)");
  add_common(init);

  CLI::App* id = app.add_subcommand("id", "your identity for member rooms");
  id->require_subcommand(1);
  CLI::App* id_new = id->add_subcommand(
      "new", "create your identity (an Ed25519 key pair) and print its public id");
  id_new->add_flag("--seal", seal, "protect the file with a passphrase (asked twice)");
  add_identity(id_new);
  CLI::App* id_show = id->add_subcommand("show", "print your public id (no passphrase needed)");
  id_show->add_flag("--ssh", show_ssh,
                    "follow it with its SSH signature from ftpchat id certify (one paste carries both)");
  add_identity(id_show);
  CLI::App* id_certify = id->add_subcommand(
      "certify", "sign your public id with your SSH key (ssh-keygen -Y sign), for people who "
                 "already trust that key; ssh-keygen asks for the key's passphrase itself");
  id_certify->add_option("--ssh-key", ssh_key,
                         "the SSH key: a private key file, or the .pub of a key ssh-agent holds "
                         "(default: ~/.ssh/id_ed25519)")
      ->type_name("FILE");
  add_identity(id_certify);
  CLI::App* id_check = id->add_subcommand(
      "check", "check that a public id is certified by NAME's SSH key as listed in an "
               "allowed_signers file (ssh-keygen -Y verify)");
  id_check->add_option("PUBLIC_ID", public_id,
                       "the public id (default: the ftpchat1... line atop the signature input)");
  id_check->add_option("--signature", signature,
                       "the output of ftpchat id show --ssh, or just its SSH signature; - for stdin")
      ->type_name("FILE")
      ->required();
  id_check->add_option("--allowed-signers", allowed_signers,
                       "lines of \"NAME SSH-PUBLIC-KEY\" (ssh-keygen(1), ALLOWED SIGNERS)")
      ->type_name("FILE")
      ->required();
  id_check->add_option("--principal", principal, "whose key must have signed, as named in FILE")
      ->type_name("NAME")
      ->required();

  CLI::App* invite = app.add_subcommand("invite", "invite PUBLIC_ID into the member room as NAME");
  invite->add_option("URL/ROOM", room_url, "the member room")->required();
  invite->add_option("NAME", name, "the new member's name in the room")->required();
  invite->add_option("PUBLIC_ID", public_id, "their public id (ftpchat1..., from ftpchat id show)")
      ->required();
  invite->add_option("--role", role, "member (default), admin or owner")
      ->check(CLI::IsMember({"member", "admin", "owner"}))
      ->type_name("ROLE");
  add_common(invite);

  CLI::App* remove = app.add_subcommand(
      "remove", "remove a member: the room gets a new key that they do not have");
  remove->add_option("URL/ROOM", room_url, "the member room")->required();
  remove->add_option("MEMBER", who,
                     "their name as the log shows it (alice, or alice~FINGERPRINT when two share "
                     "it), or their public id; your own to leave")
      ->required();
  add_common(remove);

  CLI::App* role_cmd = app.add_subcommand("role", "make a member a member, admin or owner");
  role_cmd->add_option("URL/ROOM", room_url, "the member room")->required();
  role_cmd->add_option("MEMBER", who, "their name as the log shows it, or their public id")->required();
  role_cmd->add_option("ROLE", role, "member, admin or owner")
      ->check(CLI::IsMember({"member", "admin", "owner"}))
      ->required();
  add_common(role_cmd);

  CLI::App* members_cmd = app.add_subcommand(
      "members", "list the member room's members: name, fingerprint, role, devices, since");
  members_cmd->add_option("URL/ROOM", room_url, "the member room")->required();
  add_common(members_cmd);

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
  read->add_flag("--json", json,
                 "JSON lines {id,time,from,text} ({id,time,from,signer,text} in member rooms), "
                 "as in ROOM/log.jsonl");
  read->add_option("--poll", poll_ms, "with --follow: check the server every MS ms (default 1000)")
      ->check(CLI::Range(50u, 3600000u))
      ->type_name("MS");
  read->add_flag("--receipts", opts.receipts,
                 "member rooms: send receipts for what is printed, and print the other members' "
                 "(with --json: {\"receipt\":{time,from,signer,read_up_to:{id,time}}} lines)");
  add_common(read);

  CLI::App* verify = app.add_subcommand(
      "verify",
      "check every record of the room; exit status 0 only if the room is sound: nothing "
      "rejected (damaged, forged, from a non-member) and no message missing (a removed member's "
      "records written after the removal are counted as refused, not as damage)");
  verify->add_option("URL/ROOM", room_url, "the room")->required();
  add_common(verify);

  CLI::App* chat = app.add_subcommand(
      "chat",
      "terminal chat on a mount: the rooms' logs above a fixed input line; each typed line is "
      "sent");
  chat->add_option("DIR", chat_args.dir,
                   "a room folder inside an ftpchatfs mount (the other rooms of the mount are "
                   "one key away), or the mount's root")
      ->required();
  chat->add_option("--history", history,
                   "lines of each room's log to show first (default: 500 on a terminal, older "
                   "ones load with PgUp; 20 in line mode)")
      ->type_name("N");
  chat->add_option("--nick", chat_args.nick,
                   "your nick in the mount, for mentions and /me (default: the mount's, from "
                   "ROOM/status)")
      ->type_name("NAME");
  std::string chat_footer = kChatIntro;
  for (std::string_view help = chat::chat_help_text(); !help.empty();) {
    const std::size_t eol = std::min(help.find('\n'), help.size());
    chat_footer += "  " + std::string(help.substr(0, eol)) + "\n";
    help.remove_prefix(std::min(eol + 1, help.size()));
  }
  chat->footer(chat_footer);

  if (auto done = parse_command_line(app, argc, argv, "ftpchat")) return *done;
  opts.compress = compress == "zstd";
  opts.transport.tls = tls == "require" ? TlsMode::require
                       : tls == "try"   ? TlsMode::try_tls
                                        : TlsMode::none;
  if (*init) {
    const Suite suite = cipher == "mono24" ? Suite::mono24_insecure : Suite::xchacha20poly1305;
    return run_init(room_url, opts, suite, members, member_room);
  }
  if (*id_new) return run_id_new(opts, seal);
  if (*id_show) return run_id_show(opts, show_ssh);
  if (*id_certify) return run_id_certify(opts, ssh_key);
  if (*id_check) return run_id_check(public_id, signature, allowed_signers, principal);
  if (*invite) return run_invite(room_url, opts, name, public_id, role);
  if (*remove) return run_remove(room_url, opts, who);
  if (*role_cmd) return run_role(room_url, opts, who, role);
  if (*members_cmd) return run_members(room_url, opts);
  if (*send) return run_send(room_url, opts, words);
  if (*read) return run_read(room_url, opts, follow, json, std::chrono::milliseconds(poll_ms));
  if (*verify) return run_verify(room_url, opts);
  if (chat->count("--history") > 0) chat_args.history = history;
  return run_chat(chat_args);
}
