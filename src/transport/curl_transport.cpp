// open_curl_transport: the one place that picks a transport by URL scheme (file:// is the
// local one, everything else libcurl).
#include "ftpchat/transport/curl_transport.hpp"

#include "dav_transport.hpp"
#include "ftp_transport.hpp"
#include "ftpchat/transport/local_transport.hpp"
#include "s3_transport.hpp"
#include "sftp_transport.hpp"

namespace ftpchat {
namespace {

// Stands in for a transport that cannot be set up (e.g. an unreadable identity file), so
// that the caller gets a clear error from its first operation instead of a null pointer.
class RefusingTransport final : public Transport {
 public:
  RefusingTransport(const RemoteUrl& url, Errc code, std::string reason)
      : display_(url.redacted()), code_(code), reason_(std::move(reason)) {}

  Result<std::vector<DirEntry>> list(const std::string&) override { return refuse(); }
  Result<void> read_to(const std::string&, std::uint64_t, const ByteSink&) override {
    return refuse();
  }
  Result<void> append(const std::string&, std::string_view) override { return refuse(); }
  Result<void> create_file(const std::string&, std::string_view) override { return refuse(); }
  Result<void> make_dir(const std::string&) override { return refuse(); }
  std::string display_url() const override { return display_; }
  TransportStats stats() const override { return {}; }

 private:
  Error refuse() const { return make_error(code_, reason_); }
  std::string display_;
  Errc code_;
  std::string reason_;
};

}  // namespace

Result<std::unique_ptr<Transport>> open_curl_transport(const RemoteUrl& url,
                                                       const TransportOptions& opts, Logger& log) {
  if (opts.rewrite && (url.scheme == Scheme::sftp || url.scheme == Scheme::file))
    return make_error(Errc::invalid_argument,
                      "-o rewrite works with ftp://, ftps://, s3://, dav:// and davs:// only");
  if (!opts.active_port.empty() && url.scheme != Scheme::ftp && url.scheme != Scheme::ftps)
    return make_error(Errc::invalid_argument, "-o active works with ftp:// only");
  if (!opts.active_port.empty() && (url.scheme == Scheme::ftps || opts.tls == TlsMode::require))
    return make_error(Errc::invalid_argument,
                      "-o active does not work with TLS: libcurl 7.88 cannot make active FTPS "
                      "data connections; leave -o active out");
  switch (url.scheme) {
    case Scheme::ftp:
    case Scheme::ftps:
      return make_ftp_transport(url, opts, log);
    case Scheme::sftp:
      return make_sftp_transport(url, opts, log);
    case Scheme::s3:
      return make_s3_transport(url, opts, log);
    case Scheme::dav:
    case Scheme::davs:
      return make_dav_transport(url, opts, log);
    case Scheme::file:
      break;
  }
  return make_local_transport(url);
}

std::unique_ptr<Transport> make_curl_transport(const RemoteUrl& url, const TransportOptions& opts,
                                               Logger& log) {
  auto transport = open_curl_transport(url, opts, log);
  if (!transport)
    return std::make_unique<RefusingTransport>(url, transport.error().code,
                                               transport.error().detail);
  return std::move(transport.value());
}

}  // namespace ftpchat
