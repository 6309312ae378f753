// FTP(S) operations as libcurl requests on one persistent connection. Paths reach the server
// relative to the login directory (as in any ftp:// URL) and are never CWD'd into, see
// apply_ftp_options.
// Minimal servers are met by trying, once per mount; CurlTransportBase remembers (mode()):
// 1. No SIZE: never needed (sizes come from LIST; libcurl goes on to REST without it).
// 2. No REST: download() says lacks; the base fetches whole files from then on and drops
//    the bytes already known as they stream past (memory stays one piece).
// 3. No APPE: append_to() says lacks; the base rewrites the writer's own file, which
//    replace() uploads under a temporary name and RNFR/RNTOs over the file, so readers
//    only see complete versions.
#include "ftp_transport.hpp"

#include <atomic>
#include <cstdlib>

#include "curl_transport_base.hpp"

namespace ftpchat {
namespace {

// Options every FTP request gets.
// - File method NOCWD: each command carries the full path ("RETR chat/room/log"). Counted
//   with pyftpdlib's debug log over RETR, LIST, RETR on a reused connection: NOCWD sent no
//   CWD at all; SINGLECWD sends "CWD chat/room" whenever the directory changes (every
//   switch between rooms) and MULTICWD one CWD per path segment.
// - Passive mode (libcurl's default, EPSV then PASV): active mode breaks FTPS and hangs
//   pyftpdlib under load.
// - TLS: ftps:// is implicit TLS; on ftp:// TlsMode asks for AUTH TLS (try or require).
//   `tls12_only` caps the version, see FtpTransport::adapt_after_failure.
void apply_ftp_options(CURL* easy, Scheme scheme, TlsMode tls, bool tls12_only) {
  curl_easy_setopt(easy, CURLOPT_FTP_FILEMETHOD, static_cast<long>(CURLFTPMETHOD_NOCWD));
  curl_easy_setopt(easy, CURLOPT_FTP_USE_EPSV, 1L);
  long use_ssl = CURLUSESSL_NONE;
  if (scheme == Scheme::ftps || tls == TlsMode::require)
    use_ssl = CURLUSESSL_ALL;
  else if (tls == TlsMode::try_tls)
    use_ssl = CURLUSESSL_TRY;
  curl_easy_setopt(easy, CURLOPT_USE_SSL, use_ssl);
  if (use_ssl != CURLUSESSL_NONE)  // AUTH TLS first: every current server takes it
    curl_easy_setopt(easy, CURLOPT_FTPSSLAUTH, static_cast<long>(CURLFTPAUTH_TLS));
  if (use_ssl != CURLUSESSL_NONE && tls12_only)
    curl_easy_setopt(easy, CURLOPT_SSLVERSION,
                     static_cast<long>(CURL_SSLVERSION_TLSv1_2) |
                         static_cast<long>(CURL_SSLVERSION_MAX_TLSv1_2));
}

bool uses_tls(Scheme scheme, TlsMode tls) { return scheme == Scheme::ftps || tls != TlsMode::none; }

class FtpTransport final : public CurlTransportBase {
 public:
  FtpTransport(const RemoteUrl& url, const TransportOptions& opts, Logger& log)
      : CurlTransportBase(url, opts, log, CurlFlavour::ftp),
        scheme_(url.scheme),
        tls_(opts.tls),
        uses_tls_(uses_tls(url.scheme, opts.tls)) {}

 protected:
  void set_protocol_options(CURL* easy) override {
    apply_ftp_options(easy, scheme_, tls_, tls12_only_);
  }

  Result<std::vector<DirEntry>> list_dir(const std::string& dir) override {
    const std::string dir_slash = dir.empty() ? "" : dir + "/";
    auto entries = list_long_names(dir_slash, "LIST line");
    if (!entries) return entries;
    // Some servers (vsftpd) answer LIST of a missing directory with an empty listing. An
    // empty directory is rare here, so only then pay for a CWD to tell the two apart.
    if (entries->empty() && !dir.empty()) {
      CurlRequest probe;
      probe.kind = RequestKind::commands;
      probe.url = url().url_for(dir_slash);
      probe.extra_options.emplace_back(CURLOPT_FTP_FILEMETHOD,
                                       static_cast<long>(CURLFTPMETHOD_SINGLECWD));
      CurlReply probed = run(probe);
      if (!probed.ok()) return failure(probed, "listing", dir_slash);
    }
    return entries;
  }

  Step download(const std::string& path, std::uint64_t from, const ByteSink& sink) override {
    CurlRequest request;
    request.url = url().url_for(path);
    request.resume_from = from;
    // SIZE is only needed to resume (libcurl sends REST after it), so skip it at 0.
    request.skip_size = from == 0;
    request.sink = &sink;
    CurlReply reply = run(request);
    if (from > 0 && reply.code == CURLE_FTP_COULDNT_USE_REST)
      return Step::lacking("server lacks REST",
                           "the server refuses REST; fetching whole files from " +
                               url().redacted());
    if (reply.code == CURLE_BAD_DOWNLOAD_RESUME) return Step::shorter();
    if (!reply.ok()) return Step::failure(failure(reply, "reading", path));
    return Step::ok();
  }

  Step append_to(const std::string& path, std::string_view data) override {
    CurlRequest request;
    request.kind = RequestKind::append;
    request.url = url().url_for(path);
    request.data = data;
    CurlReply reply = run(request);
    if (reply.ok()) return Step::ok();
    if (!command_unknown(reply)) return Step::failure(failure(reply, "appending to", path));
    return Step::lacking("server lacks APPE",
                         "the server lacks APPE; each send rewrites the writer's file on " +
                             url().redacted());
  }

  Result<void> replace(const std::string& path, std::string_view content) override {
    return upload_and_rename(path, content, "rewriting");
  }

  // FTP has no exclusive create: a check of the parent's listing, then STOR under a hidden
  // temporary name and RNFR/RNTO. Two creators racing between the check and the rename
  // can still both succeed (the later rename wins); callers use unique names.
  Result<void> create_exclusive(const std::string& path, std::string_view data) override {
    auto present = has_entry(path);
    if (!present) return present.error();
    if (*present) return already_exists(path);
    return upload_and_rename(path, data, "creating");
  }

  Result<void> make_folder(const std::string& path) override {
    CurlReply reply = run_commands({"*MKD " + command_path(path)});
    if (!reply.ok()) return failure(reply, "making directory", path);
    if (command_succeeded(reply)) return {};
    // MKD's 550 covers "exists", "no parent" and "refused"; the parent's listing decides.
    auto present = has_entry(path);
    if (present && *present) return folder_exists(path);
    return command_failure(reply, "making directory", path);
  }

  // vsftpd (require_ssl_reuse=YES, its default) insists that each data connection resumes
  // the control connection's TLS session. With TLS 1.3 libcurl 7.88.1 fails that after a
  // few transfers ("522 SSL connection failed: session reuse required"); TLS 1.2 session
  // reuse works. So on a 522 this transport moves to TLS 1.2 for good and the request goes
  // again: the server refuses before any data moves, so the retry cannot duplicate it (and
  // run() does not make it if a byte did reach a sink).
  bool adapt_after_failure(const CurlReply& reply) override {
    if (!uses_tls_ || tls12_only_ || reply.server_reply.rfind("522", 0) != 0) return false;
    log().info(
        "the server refused TLS session reuse on a data connection; using TLS 1.2 "
        "with " +
        url().redacted());
    tls12_only_ = true;
    return true;
  }

 private:
  // STOR under a hidden temporary name in the same folder, then RNFR/RNTO onto `path`.
  Result<void> upload_and_rename(const std::string& path, std::string_view data,
                                 std::string_view action) {
    const std::string temp = temporary_name(path);
    CurlRequest request;
    request.kind = RequestKind::upload;
    request.url = url().url_for(temp);
    request.data = data;
    request.postquote = {"*RNFR " + command_path(temp), "*RNTO " + command_path(path)};
    CurlReply reply = run(request);
    if (reply.ok() && command_succeeded(reply)) return {};
    Error error = reply.ok() ? command_failure(reply, "renaming into place", path)
                             : failure(reply, action, path);
    remove_quietly(temp);
    return error;
  }

  // 500 "not understood" and 502 "not implemented": the server lacks the command.
  static bool command_unknown(const CurlReply& reply) {
    return reply.response_code == 500 || reply.response_code == 502;
  }

  // The path as raw commands (MKD, RNFR, ...) must name it: the URL path without its first
  // '/', i.e. relative to the login directory like libcurl's own NOCWD commands.
  std::string command_path(std::string_view relative) const {
    return url().path.substr(1) + std::string(relative);
  }

  // Raw commands go out with libcurl's '*' prefix ("carry on if it fails"): libcurl closes
  // the control connection after a failed quote command, and a new login costs far more
  // than reading the reply ourselves. The last command's reply is the request's last reply.
  static bool command_succeeded(const CurlReply& reply) {
    return !reply.last_reply.empty() && reply.last_reply[0] == '2';
  }

  Error command_failure(const CurlReply& reply, std::string_view action,
                        std::string_view relative) const {
    CurlReply refused = reply;
    refused.code = CURLE_QUOTE_ERROR;
    refused.response_code = std::atol(reply.last_reply.substr(0, 3).c_str());
    refused.server_reply = reply.last_reply;
    return failure(refused, action, relative);
  }

  // Raw commands on the base directory, no transfer.
  CurlReply run_commands(std::vector<std::string> commands) {
    CurlRequest request;
    request.kind = RequestKind::commands;
    request.url = url().url_for("");
    request.quote = std::move(commands);
    return run(request);
  }

  void remove_quietly(const std::string& path) {
    CurlReply reply = run_commands({"*DELE " + command_path(path)});
    if (!reply.ok() || !command_succeeded(reply))
      log().debug("could not remove temporary file " + url().redacted_for(path));
  }

  const Scheme scheme_;
  const TlsMode tls_;
  const bool uses_tls_;
  std::atomic<bool> tls12_only_{false};  // read by set_protocol_options at each request
};

}  // namespace

std::unique_ptr<Transport> make_ftp_transport(const RemoteUrl& url, const TransportOptions& opts,
                                              Logger& log) {
  return std::make_unique<FtpTransport>(url, opts, log);
}

}  // namespace ftpchat
