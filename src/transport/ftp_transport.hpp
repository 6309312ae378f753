// Transport over ftp:// and ftps:// (and explicit TLS on ftp://) through libcurl.
#pragma once

#include <memory>

#include "ftpchat/core/logger.hpp"
#include "ftpchat/transport/curl_transport.hpp"
#include "ftpchat/transport/remote_url.hpp"
#include "ftpchat/transport/transport.hpp"

namespace ftpchat {

std::unique_ptr<Transport> make_ftp_transport(const RemoteUrl& url, const TransportOptions& opts,
                                              Logger& log);

}  // namespace ftpchat
