// make_transport: scheme -> implementation.
#include "make_transport.hpp"

namespace ftpchat {

Result<std::unique_ptr<Transport>> make_transport(const RemoteUrl& url, const TransportOptions& opts,
                                                  Logger& log) {
  switch (url.scheme) {
    case Scheme::ftp:
    case Scheme::ftps:
    case Scheme::sftp:
      return make_curl_transport(url, opts, log);
    case Scheme::file:
      break;
  }
  return make_error(Errc::invalid_argument, "file:// rooms are not supported yet");
}

}  // namespace ftpchat
