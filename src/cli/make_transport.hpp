// The one place where a real transport is chosen for a URL and handed to the engine.
#pragma once

#include <memory>

#include "ftpchat/core/logger.hpp"
#include "ftpchat/transport/curl_transport.hpp"

namespace ftpchat {

Result<std::unique_ptr<Transport>> make_transport(const RemoteUrl& url, const TransportOptions& opts,
                                                  Logger& log);

}  // namespace ftpchat
