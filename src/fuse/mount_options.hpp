// The -o options: ftpchatfs's own are taken out with fuse_opt, the rest go to FUSE.
#pragma once

#include <string>
#include <vector>

#include "ftpchat/core/error.hpp"
#include "ftpchat/room/room_context.hpp"
#include "ftpchat/transport/curl_transport.hpp"

namespace ftpchat {

struct MountOptions {
  EngineConfig engine;            // nick (empty: login name), poll
  TransportOptions transport;
  std::string passfile;           // empty: FTPCHAT_PASSPHRASE or a prompt
  std::string chatid;             // identity file for member rooms; empty: the default one
  std::string chatid_passfile;    // its passphrase, if sealed; empty: FTPCHAT_ID_PASSPHRASE or a prompt
  std::string logfile;            // empty: stderr in the foreground, syslog otherwise
  std::vector<std::string> fuse_options;  // left for libfuse, e.g. "allow_other"
};

struct OptionDoc {
  const char* name;     // as written after -o
  const char* help;     // one line
};

// Every ftpchatfs -o option with its one-line help (the source for --help and the man page).
const std::vector<OptionDoc>& mount_option_docs();

// Parses the values given to -o (each may hold several comma-separated options).
// invalid_argument naming the option on a bad value.
Result<MountOptions> parse_mount_options(const std::vector<std::string>& o_values);

}  // namespace ftpchat
