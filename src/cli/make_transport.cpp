// make_transport: scheme -> implementation.
#include "make_transport.hpp"

#include "ftpchat/transport/local_transport.hpp"

namespace ftpchat {

Result<std::unique_ptr<Transport>> make_transport(const RemoteUrl& url,
                                                  const TransportOptions& opts, Logger& log) {
  switch (url.scheme) {
    case Scheme::ftp:
    case Scheme::ftps:
    case Scheme::sftp:
    case Scheme::s3:
    case Scheme::dav:
    case Scheme::davs:
      return open_curl_transport(url, opts, log);
    case Scheme::file:
      return make_local_transport(url);
  }
  return make_error(Errc::internal, "unknown URL scheme");
}

}  // namespace ftpchat
