// make_transport: scheme -> implementation.
#include "make_transport.hpp"

#include <sodium.h>

#include "ftpchat/core/secret.hpp"
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

// The password waits in guarded memory between connections, put into a URL only while one
// is made (the transport then keeps it in its own guarded memory).
TransportFactory transport_factory(const RemoteUrl& url, const TransportOptions& opts, Logger& log) {
  if (url.scheme == Scheme::file) return {};
  auto password = std::make_shared<const SecretBytes>(SecretBytes::from(url.password));
  RemoteUrl without = url;
  sodium_memzero(without.password.data(), without.password.size());
  without.password.clear();
  return [without, password, opts, &log] {
    RemoteUrl with = without;
    with.password.assign(password->view());
    auto made = make_transport(with, opts, log);
    sodium_memzero(with.password.data(), with.password.size());
    return made;
  };
}

}  // namespace ftpchat
