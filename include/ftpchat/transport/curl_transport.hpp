// The libcurl implementations of Transport (ftp, ftps, sftp, s3); for file:// URLs
// make_curl_transport hands out the local transport.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

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
  bool rewrite = false;  // never append: each send rewrites the writer's file (ftp, s3)
  // ftp: "" for passive data connections (active once the server refuses passive ones), else
  // active ones as parse_active_mode() gives them (libcurl's CURLOPT_FTPPORT).
  std::string active_port;
  std::string endpoint;  // s3: the server's URL (else AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS)
  std::string region;    // s3: signing region (else AWS_REGION, AWS_DEFAULT_REGION, us-east-1)
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds stall_timeout{30000};  // abort a transfer making no progress
  bool verbose = false;                            // libcurl protocol trace to the logger (debug)
};

// -o active[=SPEC]: FTP data connections that the server opens to this client (EPRT/PORT)
// instead of passive ones, for servers or firewalls that refuse passive. SPEC: empty (the
// control connection's address, any port), PORT or LO-HI (a port range to listen on),
// ADDRESS, or ADDRESS:LO-HI (an IPv6 address in brackets). Returns the CURLOPT_FTPPORT text;
// invalid_argument says what is wrong.
Result<std::string> parse_active_mode(std::string_view spec);

// The transport for `url`; invalid_argument when it cannot be set up (an unreadable SSH
// identity, no AWS credentials, an unusable endpoint, an option the scheme lacks).
Result<std::unique_ptr<Transport>> open_curl_transport(const RemoteUrl& url,
                                                       const TransportOptions& opts, Logger& log);

// Same, but a transport that cannot be set up is a stand-in whose every operation fails
// with that error (for callers that report errors at the first operation).
std::unique_ptr<Transport> make_curl_transport(const RemoteUrl& url, const TransportOptions& opts,
                                               Logger& log);

}  // namespace ftpchat
