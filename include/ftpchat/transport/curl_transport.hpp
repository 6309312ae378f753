// The libcurl implementation of Transport (ftp, ftps, sftp); for file:// URLs
// make_curl_transport hands out the local transport.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "ftpchat/core/logger.hpp"
#include "ftpchat/transport/remote_url.hpp"
#include "ftpchat/transport/transport.hpp"

namespace ftpchat {

enum class TlsMode { none, try_tls, require };  // explicit TLS on ftp:// (ftps:// is implicit)

struct TransportOptions {
  TlsMode tls = TlsMode::none;
  std::string cacert;     // extra CA file for TLS
  bool insecure = false;  // skip TLS / host key verification
  std::string identity;   // SSH private key file
  bool accept_new_hostkey = false;
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds stall_timeout{30000};  // abort a transfer making no progress
  bool verbose = false;                            // libcurl protocol trace to the logger (debug)
};

std::unique_ptr<Transport> make_curl_transport(const RemoteUrl& url, const TransportOptions& opts,
                                               Logger& log);

}  // namespace ftpchat
