// The one place where a real transport is chosen for a URL and handed to the engine.
#pragma once

#include <memory>

#include "ftpchat/core/logger.hpp"
#include "ftpchat/room/connection_pool.hpp"
#include "ftpchat/transport/curl_transport.hpp"

namespace ftpchat {

Result<std::unique_ptr<Transport>> make_transport(const RemoteUrl& url, const TransportOptions& opts,
                                                  Logger& log);

// What the engine makes its further connections with (room/connection_pool.hpp): more
// transports like make_transport's; none for file:// (a local folder needs no more).
// `log` must outlive the factory.
TransportFactory transport_factory(const RemoteUrl& url, const TransportOptions& opts, Logger& log);

}  // namespace ftpchat
