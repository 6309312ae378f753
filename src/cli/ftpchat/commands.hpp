// The ftpchat subcommands that talk to a server: init, send, read, verify. Each returns the
// process exit status (cli/exit_status.hpp) and prints its own one-line errors.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "ftpchat/cipher/record_cipher.hpp"
#include "ftpchat/transport/curl_transport.hpp"

namespace ftpchat {

struct CommonOptions {
  std::string passfile;        // empty: FTPCHAT_PASSPHRASE, else a prompt
  std::string nick;            // empty: the login name
  TransportOptions transport;
  bool verbose = false;        // engine log at debug level on stderr
  bool compress = false;       // --compress zstd
};

int run_init(const std::string& room_url, const CommonOptions& opts, Suite suite);
// messages empty: one message per line of stdin.
int run_send(const std::string& room_url, const CommonOptions& opts,
             const std::vector<std::string>& words);
int run_read(const std::string& room_url, const CommonOptions& opts, bool follow, bool json,
             std::chrono::milliseconds poll);
int run_verify(const std::string& room_url, const CommonOptions& opts);

}  // namespace ftpchat
