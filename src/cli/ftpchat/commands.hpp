// The ftpchat subcommands that talk to a server: init, send, read, verify. Each returns the
// process exit status (cli/exit_status.hpp) and prints its own one-line errors.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "ftpchat/cipher/record_cipher.hpp"
#include "ftpchat/transport/curl_transport.hpp"

namespace ftpchat {

struct CommonOptions {
  std::string passfile;        // empty: FTPCHAT_PASSPHRASE, else a prompt
  std::string chatid;          // identity file; empty: the default one, if it exists
  std::string chatid_passfile; // a sealed identity's passphrase; empty: FTPCHAT_ID_PASSPHRASE, a prompt
  std::string nick;            // empty: the login name
  TransportOptions transport;
  bool verbose = false;        // engine log at debug level on stderr
  bool compress = false;       // --compress zstd
  bool receipts = false;       // read --receipts: send receipts for what is printed, print others'
};

// members: NAME=PUBLIC_ID each; a member room when any is given or member_room is set.
int run_init(const std::string& room_url, const CommonOptions& opts, Suite suite,
             const std::vector<std::string>& members = {}, bool member_room = false);
// messages empty: one message per line of stdin.
int run_send(const std::string& room_url, const CommonOptions& opts,
             const std::vector<std::string>& words);
int run_read(const std::string& room_url, const CommonOptions& opts, bool follow, bool json,
             std::chrono::milliseconds poll);
int run_verify(const std::string& room_url, const CommonOptions& opts);

// Member rooms (member_commands.cpp).
int run_id_new(const CommonOptions& opts, bool seal);
// ssh: the public id followed by its SSH signature (ftpchat id certify).
int run_id_show(const CommonOptions& opts, bool ssh = false);
// The identity file's path and public id line; else prints why and returns the exit status.
int own_public_id(const CommonOptions& opts, std::filesystem::path& file, std::string& public_id);
int run_invite(const std::string& room_url, const CommonOptions& opts, const std::string& name,
               const std::string& public_id, const std::string& role);
int run_remove(const std::string& room_url, const CommonOptions& opts, const std::string& who);
int run_role(const std::string& room_url, const CommonOptions& opts, const std::string& who,
             const std::string& role);
int run_members(const std::string& room_url, const CommonOptions& opts);

// The public id signed with an SSH key (ssh_certify.cpp): ssh_key empty is ~/.ssh/id_ed25519;
// signature "-" is stdin; public_id empty is the id line at the top of the signature input.
int run_id_certify(const CommonOptions& opts, const std::string& ssh_key);
int print_certified_id(const std::filesystem::path& identity_file, const std::string& public_id);
int run_id_check(const std::string& public_id, const std::string& signature,
                 const std::string& allowed_signers, const std::string& principal);

}  // namespace ftpchat
