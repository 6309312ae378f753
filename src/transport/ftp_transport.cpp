// FTP(S) operations as libcurl requests on one persistent connection. Paths reach the server
// relative to the login directory (as in any ftp:// URL) and are never CWD'd into, see
// apply_ftp_options.
// Minimal servers are met by trying, once per mount, and remembered (see mode()):
// 1. No SIZE: never needed (sizes come from LIST; libcurl goes on to REST without it).
// 2. No REST: fetch the whole file and drop the bytes already known as they stream past
//    (O(file) downloaded per read; memory stays one piece).
// 3. No APPE: each writer owns its file, so rewriting it is safe from other writers: upload
//    old content + new bytes to a temporary name and RNFR/RNTO it over the file, so readers
//    only see complete versions. The content is kept in memory after the first download:
//    O(own history) uploaded per send.
#include "ftp_transport.hpp"

#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>

#include "curl_errors.hpp"
#include "curl_session.hpp"
#include "ftpchat/core/bytes.hpp"
#include "ftpchat/transport/ftp_list.hpp"
#include "relative_path.hpp"

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
//   `tls12_only` caps the version, see FtpTransport::run.
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

// Request URLs carry the user (so that ~/.netrc can still supply the password) but never the
// password, which CurlSession keeps in guarded memory.
RemoteUrl without_password(RemoteUrl url) {
  sodium_memzero(url.password.data(), url.password.size());
  url.password.clear();
  return url;
}

bool uses_tls(Scheme scheme, TlsMode tls) { return scheme == Scheme::ftps || tls != TlsMode::none; }

class FtpTransport final : public Transport {
 public:
  FtpTransport(const RemoteUrl& url, const TransportOptions& opts, Logger& log)
      : url_(without_password(url)),
        log_(log),
        uses_tls_(uses_tls(url.scheme, opts.tls)),
        session_(opts, log,
                 CurlProtocol{[this, scheme = url.scheme, tls = opts.tls](CURL* easy) {
                                apply_ftp_options(easy, scheme, tls, tls12_only_);
                              },
                              true},
                 url.password) {}

  Result<std::vector<DirEntry>> list(const std::string& dir_in) override {
    std::string dir = dir_in;
    if (!dir.empty() && dir.back() == '/') dir.pop_back();
    if (auto valid = check_relative_path(dir, true); !valid) return valid.error();
    const std::string dir_slash = dir.empty() ? "" : dir + "/";
    CurlRequest request;
    request.url = url_.url_for(dir_slash);
    CurlReply reply = run(request);
    if (!reply.ok()) return failure(reply, "listing", dir_slash);

    FtpListing listing = parse_ftp_listing(reply.body);
    for (const auto& line : listing.unparsed)
      log_.debug("skipping unreadable LIST line for " + url_.redacted_for(dir_slash) + ": " + line);
    // Some servers (vsftpd) answer LIST of a missing directory with an empty listing. An
    // empty directory is rare here, so only then pay for a CWD to tell the two apart.
    if (listing.entries.empty() && !dir.empty()) {
      CurlRequest probe;
      probe.kind = RequestKind::commands;
      probe.url = request.url;
      probe.extra_options.emplace_back(CURLOPT_FTP_FILEMETHOD,
                                       static_cast<long>(CURLFTPMETHOD_SINGLECWD));
      CurlReply probed = run(probe);
      if (!probed.ok()) return failure(probed, "listing", dir_slash);
    }
    return std::move(listing.entries);
  }

  Result<void> read_to(const std::string& path, std::uint64_t offset,
                       const ByteSink& sink) override {
    if (auto valid = check_relative_path(path, false); !valid) return valid.error();
    const bool resume = offset > 0 && !no_rest_;
    // Without REST the whole file comes: the bytes before `offset` are dropped as they pass.
    std::uint64_t to_skip = resume ? 0 : offset;
    const ByteSink skipping = [&to_skip, &sink](std::string_view piece) {
      const auto dropped = static_cast<std::size_t>(std::min<std::uint64_t>(to_skip, piece.size()));
      to_skip -= dropped;
      piece.remove_prefix(dropped);
      return piece.empty() || sink(piece);
    };
    CurlRequest request;
    request.url = url_.url_for(path);
    request.resume_from = resume ? offset : 0;
    // SIZE is only needed to resume (libcurl sends REST after it), so skip it at 0.
    request.skip_size = !resume;
    request.sink = to_skip > 0 ? &skipping : &sink;
    CurlReply reply = run(request);
    if (resume && reply.code == CURLE_FTP_COULDNT_USE_REST) {
      log_.info("the server refuses REST; fetching whole files from " + url_.redacted());
      no_rest_ = true;
      return read_to(path, offset, sink);
    }
    if (reply.code == CURLE_BAD_DOWNLOAD_RESUME || (reply.ok() && to_skip > 0))
      return make_error(Errc::bad_data, "file " + url_.redacted_for(path) +
                                            " is shorter than the " + std::to_string(offset) +
                                            " bytes already read");
    if (!reply.ok()) return failure(reply, "reading", path);
    return {};
  }

  Result<void> append(const std::string& path, std::string_view data) override {
    if (auto valid = check_relative_path(path, false); !valid) return valid.error();
    if (no_appe_) return rewrite_with(path, data);
    CurlRequest request;
    request.kind = RequestKind::append;
    request.url = url_.url_for(path);
    request.data = data;
    CurlReply reply = run(request);
    if (reply.ok()) return {};
    if (!command_unknown(reply)) return failure(reply, "appending to", path);
    log_.info("the server lacks APPE; each send rewrites the writer's file on " + url_.redacted());
    no_appe_ = true;
    return rewrite_with(path, data);
  }

  // FTP has no exclusive create: a check of the parent's listing, then STOR under a hidden
  // temporary name and RNFR/RNTO. Two creators racing between the check and the rename
  // can still both succeed (the later rename wins); callers use unique names.
  Result<void> create_file(const std::string& path, std::string_view data) override {
    if (auto valid = check_relative_path(path, false); !valid) return valid.error();
    const PathParts parts = split_relative_path(path);
    auto present = has_entry(parts);
    if (!present) return present.error();
    if (*present) return make_error(Errc::exists, url_.redacted_for(path) + " already exists");

    return upload_and_rename(path, data, "creating");
  }

  Result<void> make_dir(const std::string& path) override {
    if (auto valid = check_relative_path(path, false); !valid) return valid.error();
    CurlReply reply = run_commands({"*MKD " + command_path(path)});
    if (!reply.ok()) return failure(reply, "making directory", path);
    if (command_succeeded(reply)) return {};
    // MKD's 550 covers "exists", "no parent" and "refused"; the parent's listing decides.
    auto present = has_entry(split_relative_path(path));
    if (present && *present)
      return make_error(Errc::exists, "directory " + url_.redacted_for(path) + " already exists");
    return command_failure(reply, "making directory", path);
  }

  std::string display_url() const override { return url_.redacted(); }
  TransportStats stats() const override { return session_.stats(); }
  std::string mode() const override {
    std::string mode = no_appe_ ? "rewrite (server lacks APPE)" : "append";
    if (no_rest_) mode += ", full fetch (server lacks REST)";
    return mode;
  }

 private:
  // STOR under a hidden temporary name in the same folder, then RNFR/RNTO onto `path`.
  Result<void> upload_and_rename(const std::string& path, std::string_view data,
                                 std::string_view action) {
    const PathParts parts = split_relative_path(path);
    const std::string prefix = parts.parent.empty() ? "" : parts.parent + "/";
    const std::string temp =
        prefix + "." + parts.name + ".tmp-" + to_hex(as_chars(random_id()).substr(0, 8));
    CurlRequest request;
    request.kind = RequestKind::upload;
    request.url = url_.url_for(temp);
    request.data = data;
    request.postquote = {"*RNFR " + command_path(temp), "*RNTO " + command_path(path)};
    CurlReply reply = run(request);
    if (reply.ok() && command_succeeded(reply)) return {};
    Error error = reply.ok() ? command_failure(reply, "renaming into place", path)
                             : failure(reply, action, path);
    remove_quietly(temp);
    return error;
  }

  // Append without APPE: the writer's file is replaced by a complete longer version.
  Result<void> rewrite_with(const std::string& path, std::string_view data) {
    auto cached = own_copies_.find(path);
    std::string content;
    if (cached != own_copies_.end()) {
      content = std::move(cached->second);
      own_copies_.erase(cached);  // back only once the server has the new version
    } else {
      auto current = read(path, 0);
      if (current)
        content = std::move(*current);
      else if (current.error().code != Errc::not_found)
        return current.error();
    }
    content.append(data);
    if (auto done = upload_and_rename(path, content, "rewriting"); !done) return done;
    own_copies_[path] = std::move(content);
    return {};
  }

  // 500 "not understood" and 502 "not implemented": the server lacks the command.
  static bool command_unknown(const CurlReply& reply) {
    return reply.response_code == 500 || reply.response_code == 502;
  }

  // The path as raw commands (MKD, RNFR, ...) must name it: the URL path without its first
  // '/', i.e. relative to the login directory like libcurl's own NOCWD commands.
  std::string command_path(std::string_view relative) const {
    return url_.path.substr(1) + std::string(relative);
  }

  Error failure(const CurlReply& reply, std::string_view action, std::string_view relative) const {
    CurlFailure f{reply.code, reply.response_code, reply.server_reply, reply.error_text,
                  reply.cancelled};
    return map_curl_error(f, std::string(action) + " " + url_.redacted_for(relative));
  }

  // vsftpd (require_ssl_reuse=YES, its default) insists that each data connection resumes
  // the control connection's TLS session. With TLS 1.3 libcurl 7.88.1 fails that after a
  // few transfers ("522 SSL connection failed: session reuse required"); TLS 1.2 session
  // reuse works. So on a 522 this transport moves to TLS 1.2 for good and sends the request
  // again: the server refuses before any data moves, so the retry cannot duplicate it (and
  // is not made if a byte did reach a sink).
  CurlReply run(const CurlRequest& request) {
    CurlReply reply = session_.run(request);
    if (!reply.ok() && uses_tls_ && !tls12_only_ && reply.received == 0 &&
        reply.server_reply.rfind("522", 0) == 0) {
      log_.info(
          "the server refused TLS session reuse on a data connection; using TLS 1.2 "
          "with " +
          url_.redacted());
      tls12_only_ = true;
      reply = session_.run(request);
    }
    return reply;
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
    request.url = url_.url_for("");
    request.quote = std::move(commands);
    return run(request);
  }

  Result<bool> has_entry(const PathParts& parts) {
    auto entries = list(parts.parent);
    if (!entries) return entries.error();
    return std::any_of(entries->begin(), entries->end(),
                       [&](const DirEntry& e) { return e.name == parts.name; });
  }

  void remove_quietly(const std::string& path) {
    CurlReply reply = run_commands({"*DELE " + command_path(path)});
    if (!reply.ok() || !command_succeeded(reply))
      log_.debug("could not remove temporary file " + url_.redacted_for(path));
  }

  RemoteUrl url_;
  Logger& log_;
  const bool uses_tls_;
  bool tls12_only_ = false;  // read by the option lambda at each request
  // Learnt by trying; atomic because mode() may be read while a request runs.
  std::atomic<bool> no_appe_{false};
  std::atomic<bool> no_rest_{false};
  std::map<std::string, std::string> own_copies_;  // path -> content, in rewrite mode
  CurlSession session_;  // last: its option lambda reads the members above
};

}  // namespace

std::unique_ptr<Transport> make_ftp_transport(const RemoteUrl& url, const TransportOptions& opts,
                                              Logger& log) {
  return std::make_unique<FtpTransport>(url, opts, log);
}

}  // namespace ftpchat
