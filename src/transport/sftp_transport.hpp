// Transport over sftp:// through libcurl (libssh2): key, agent or password login, host key
// checked against ~/.ssh/known_hosts.
#pragma once

#include <memory>

#include "ftpchat/core/logger.hpp"
#include "ftpchat/transport/curl_transport.hpp"
#include "ftpchat/transport/remote_url.hpp"
#include "ftpchat/transport/transport.hpp"

namespace ftpchat {

// invalid_argument if -o identity names an unreadable file.
Result<std::unique_ptr<Transport>> make_sftp_transport(const RemoteUrl& url,
                                                       const TransportOptions& opts, Logger& log);

}  // namespace ftpchat
