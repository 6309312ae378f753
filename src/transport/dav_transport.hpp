// Transport over dav:// and davs:// (WebDAV over http and https) through libcurl: basic auth
// with the password from the URL or ~/.netrc, TLS trust as for FTPS (cacert, insecure).
#pragma once

#include <memory>

#include "ftpchat/core/logger.hpp"
#include "ftpchat/transport/curl_transport.hpp"
#include "ftpchat/transport/remote_url.hpp"
#include "ftpchat/transport/transport.hpp"

namespace ftpchat {

std::unique_ptr<Transport> make_dav_transport(const RemoteUrl& url, const TransportOptions& opts,
                                              Logger& log);

}  // namespace ftpchat
