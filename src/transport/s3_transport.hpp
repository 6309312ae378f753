// Transport over s3://BUCKET/PATH/ (S3-compatible object stores) through libcurl, which
// signs every request itself (CURLOPT_AWS_SIGV4).
#pragma once

#include <memory>

#include "ftpchat/core/logger.hpp"
#include "ftpchat/transport/curl_transport.hpp"
#include "ftpchat/transport/remote_url.hpp"
#include "ftpchat/transport/transport.hpp"

namespace ftpchat {

// invalid_argument if no credentials are found or the endpoint is unusable (see
// aws_settings.hpp for where each setting comes from).
Result<std::unique_ptr<Transport>> make_s3_transport(const RemoteUrl& url,
                                                     const TransportOptions& opts, Logger& log);

}  // namespace ftpchat
