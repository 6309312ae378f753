// FTP(S) operations as libcurl requests on one persistent connection. Paths reach the server
// relative to the login directory (as in any ftp:// URL) and are never CWD'd into, see
// apply_ftp_options.
// Round trips are what a chat over a distant server pays for, so:
// 1. Listings go by "STAT <folder>" on the control connection (one round trip, no data
//    connection, no TYPE A) once STAT has listed a folder as LIST does (checked once per
//    mount); a server without it, or whose STAT disagrees, gets EPSV+LIST (ftp_stat.hpp).
// 2. Every transfer is binary: with STAT listings libcurl sends "TYPE I" once per connection.
// 3. Reads from an offset send "REST n" before RETR themselves, without libcurl's SIZE (a
//    round trip); a file shorter than the offset is told by the server's 554, or (vsftpd
//    sends nothing) by a SIZE asked only when nothing came.
// 4. Data connections are passive unless -o active asks for EPRT/PORT; a server that refuses
//    passive ones gets active ones from then on (without TLS: libcurl 7.88 cannot do both).
// Minimal servers are met by trying, once per mount; CurlTransportBase remembers (mode()):
// 5. No SIZE: never needed (sizes come from listings).
// 6. No REST: download() says lacks; the base fetches whole files from then on and drops
//    the bytes already known as they stream past (memory stays one piece).
// 7. No APPE: append_to() says lacks; the base rewrites the writer's own file, which
//    replace() uploads under a temporary name and RNFR/RNTOs over the file, so readers
//    only see complete versions.
#include "ftp_transport.hpp"

#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdlib>

#include "curl_transport_base.hpp"
#include "ftp_stat.hpp"

namespace ftpchat {
namespace {

// Options every FTP request gets.
// - File method NOCWD: each command carries the full path ("RETR chat/room/log"). Counted
//   with pyftpdlib's debug log over RETR, LIST, RETR on a reused connection: NOCWD sent no
//   CWD at all; SINGLECWD sends "CWD chat/room" whenever the directory changes (every
//   switch between rooms) and MULTICWD one CWD per path segment.
// - Passive mode (libcurl's default, EPSV then PASV) unless `active_port` is set: then
//   EPRT/PORT with libcurl's CURLOPT_FTPPORT text, and the server's connection is awaited no
//   longer than a connection of ours. Active mode fails with FTPS in libcurl 7.88 and hangs
//   pyftpdlib under load, so it is never the default.
// - TLS: ftps:// is implicit TLS; on ftp:// TlsMode asks for AUTH TLS (try or require).
//   `tls12_only` caps the version, see FtpTransport::adapt_after_failure.
struct FtpSettings {
  Scheme scheme;
  TlsMode tls;
  bool tls12_only;
  const std::string& active_port;
  std::chrono::milliseconds accept_timeout;
};

void apply_ftp_options(CURL* easy, const FtpSettings& s) {
  curl_easy_setopt(easy, CURLOPT_FTP_FILEMETHOD, static_cast<long>(CURLFTPMETHOD_NOCWD));
  curl_easy_setopt(easy, CURLOPT_FTP_USE_EPSV, 1L);
  if (!s.active_port.empty()) {
    curl_easy_setopt(easy, CURLOPT_FTPPORT, s.active_port.c_str());
    curl_easy_setopt(easy, CURLOPT_ACCEPTTIMEOUT_MS, static_cast<long>(s.accept_timeout.count()));
  }
  long use_ssl = CURLUSESSL_NONE;
  if (s.scheme == Scheme::ftps || s.tls == TlsMode::require)
    use_ssl = CURLUSESSL_ALL;
  else if (s.tls == TlsMode::try_tls)
    use_ssl = CURLUSESSL_TRY;
  curl_easy_setopt(easy, CURLOPT_USE_SSL, use_ssl);
  if (use_ssl != CURLUSESSL_NONE)  // AUTH TLS first: every current server takes it
    curl_easy_setopt(easy, CURLOPT_FTPSSLAUTH, static_cast<long>(CURLFTPAUTH_TLS));
  if (use_ssl != CURLUSESSL_NONE && s.tls12_only)
    curl_easy_setopt(easy, CURLOPT_SSLVERSION,
                     static_cast<long>(CURL_SSLVERSION_TLSv1_2) |
                         static_cast<long>(CURL_SSLVERSION_MAX_TLSv1_2));
}

// -o active shows in the transport mode from the start.
CapabilityState initial_state(const TransportOptions& opts) {
  CapabilityState state;
  if (!opts.active_port.empty()) {
    state.active = true;
    state.active_note = "-o active";
  }
  return state;
}

bool uses_tls(Scheme scheme, TlsMode tls) { return scheme == Scheme::ftps || tls != TlsMode::none; }

class FtpTransport final : public CurlTransportBase {
 public:
  FtpTransport(const RemoteUrl& url, const TransportOptions& opts, Logger& log)
      : CurlTransportBase(url, opts, log, CurlFlavour::ftp, initial_state(opts)),
        scheme_(url.scheme),
        tls_(opts.tls),
        uses_tls_(uses_tls(url.scheme, opts.tls)),
        accept_timeout_(opts.connect_timeout),
        active_port_(opts.active_port) {}

 protected:
  void set_protocol_options(CURL* easy) override {
    apply_ftp_options(easy, {scheme_, tls_, tls12_only_, active_port_, accept_timeout_});
  }

  // Rule 1: STAT while it is untried or proven; a STAT listing is trusted once the first
  // folder it listed with entries had the same names by LIST.
  Result<std::vector<DirEntry>> list_dir(const std::string& dir) override {
    const std::string dir_slash = dir.empty() ? "" : dir + "/";
    if (listing_ == Listing::by_list) return list_by_list(dir_slash);
    CurlRequest request;
    request.kind = RequestKind::commands;
    request.url = url().url_for("");
    request.quote = {"*" + stat_command(command_path(dir_slash))};  // '*': read the reply ourselves
    request.keep_reply_lines = true;
    CurlReply reply = run(request);
    if (!reply.ok()) return failure(reply, "listing", dir_slash);
    StatListing stat = judge_stat_reply(stat_reply(reply.reply_lines));
    for (const auto& line : stat.listing.unparsed)
      log().debug("skipping unreadable STAT line for " + url().redacted_for(dir_slash) + ": " +
                  line);
    switch (stat.verdict) {
      case StatVerdict::lacks:
        use_list(stat.note);
        return list_by_list(dir_slash);
      case StatVerdict::refused:  // no such folder, or no access: LIST's error says which
        return list_by_list(dir_slash);
      case StatVerdict::empty:
        if (listing_ == Listing::by_stat) return checked_empty(dir_slash, false);
        return list_and_judge_stat(dir_slash, {});
      case StatVerdict::listing:
        break;
    }
    if (listing_ == Listing::untried) return list_and_judge_stat(dir_slash, stat.listing.entries);
    if (stat.listing.entries.empty()) return checked_empty(dir_slash, stat.listing.has_dot);
    return std::move(stat.listing.entries);
  }

  // Rules 3 and 6: "REST n" goes as a pre-transfer command, so libcurl asks no SIZE.
  Step download(const std::string& path, std::uint64_t from, const ByteSink& sink) override {
    CurlRequest request;
    request.url = url().url_for(path);
    request.skip_size = true;
    if (from > 0) request.prequote = {"REST " + std::to_string(from)};
    request.sink = &sink;
    CurlReply reply = run(request);
    if (from == 0) {
      if (!reply.ok()) return Step::failure(failure(reply, "reading", path));
      return Step::ok();
    }
    if (reply.code == CURLE_QUOTE_ERROR && reply.last_reply.rfind('5', 0) == 0)
      return Step::lacking("server lacks REST",
                           "the server refuses REST; fetching whole files from " +
                               url().redacted());
    if (!reply.ok()) {
      // 554: "invalid REST parameter" (RFC 1123), pyftpdlib, pure-ftpd and proftpd for an
      // offset past the end.
      if (reply.received == 0 && reply.response_code == 554) return Step::shorter();
      clear_restart_position(reply);
      return Step::failure(failure(reply, "reading", path));
    }
    if (reply.received == 0 && ends_before(path, from)) return Step::shorter();
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

  // Two refusals before any data moved can be met by changing how we connect; each once per
  // mount, then the request goes again (run() never repeats one that reached a sink):
  // - vsftpd (require_ssl_reuse=YES, its default) insists that each data connection resumes
  //   the control connection's TLS session. With TLS 1.3 libcurl 7.88.1 fails that after a
  //   few transfers ("522 SSL connection failed: session reuse required"); TLS 1.2 session
  //   reuse works. So on a 522 this transport moves to TLS 1.2 for good.
  // - Rule 4: a server that refuses EPSV and PASV (vsftpd with pasv_enable=NO answers 550)
  //   gets active data connections from the control connection's address; not over TLS,
  //   where libcurl 7.88's active data connections fail (the refusal is then the error).
  bool adapt_after_failure(const CurlReply& reply) override {
    if (reply.code == CURLE_FTP_WEIRD_PASV_REPLY && active_port_.empty() && !uses_tls_ &&
        reply.response_code >= 400) {
      log().info("the server refuses passive data connections (" + reply.server_reply +
                 "); using active mode (EPRT/PORT) with " + url().redacted());
      active_port_ = "-";
      capabilities().set_active("server refused passive");
      return true;
    }
    if (!uses_tls_ || tls12_only_ || reply.server_reply.rfind("522", 0) != 0) return false;
    log().info(
        "the server refused TLS session reuse on a data connection; using TLS 1.2 "
        "with " +
        url().redacted());
    tls12_only_ = true;
    return true;
  }

 private:
  enum class Listing { untried, by_stat, by_list };

  // EPSV+LIST, and for an empty listing a CWD to tell an empty folder from a missing one.
  Result<std::vector<DirEntry>> list_by_list(const std::string& dir_slash) {
    auto entries = list_long_names(dir_slash, "LIST line");
    if (!entries || !entries->empty()) return entries;
    return checked_empty(dir_slash, false);
  }

  // Some servers (vsftpd, pure-ftpd) list a missing folder as empty. An empty folder is rare
  // here, so only then pay for a CWD to tell the two apart, unless "." showed it exists.
  Result<std::vector<DirEntry>> checked_empty(const std::string& dir_slash, bool exists) {
    if (exists || dir_slash.empty()) return std::vector<DirEntry>{};
    CurlRequest probe;
    probe.kind = RequestKind::commands;
    probe.url = url().url_for(dir_slash);
    probe.extra_options.emplace_back(CURLOPT_FTP_FILEMETHOD,
                                     static_cast<long>(CURLFTPMETHOD_SINGLECWD));
    CurlReply probed = run(probe);
    if (!probed.ok()) return failure(probed, "listing", dir_slash);
    return std::vector<DirEntry>{};
  }

  // Once per mount: LIST the folder STAT just listed; STAT is trusted from then on if both
  // named the same entries (and some), and left for LIST if STAT missed or invented some.
  Result<std::vector<DirEntry>> list_and_judge_stat(const std::string& dir_slash,
                                                    const std::vector<DirEntry>& by_stat) {
    auto by_list = list_by_list(dir_slash);
    if (!by_list || by_list->empty()) return by_list;  // nothing to judge STAT by yet
    if (!same_names(by_stat, *by_list)) {
      use_list(by_stat.empty() ? "STAT lists nothing" : "STAT and LIST disagree");
    } else {
      listing_ = Listing::by_stat;
      capabilities().set_listing("STAT");
      log().debug("listing folders with STAT on " + url().redacted());
    }
    return by_list;
  }

  void use_list(const std::string& note) {
    listing_ = Listing::by_list;
    capabilities().set_listing("LIST", note);
    log().info("listing folders with EPSV and LIST on " + url().redacted() + " (" + note + ")");
  }

  // Nothing came from `from` on: at the end (the usual case) or beyond it (vsftpd answers a
  // REST past the end with an empty transfer). Only SIZE tells; without it, assume the end.
  bool ends_before(const std::string& path, std::uint64_t from) {
    CurlReply reply = run_commands({"*SIZE " + command_path(path)});
    if (!reply.ok() || reply.last_reply.rfind("213 ", 0) != 0) return false;
    std::uint64_t size = 0;
    const std::string digits = reply.last_reply.substr(4);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), size);
    return ec == std::errc() && end != digits.data() && size < from;
  }

  // A REST whose RETR failed may still be pending on some server and would then move the
  // next STOR or APPE: clear it while the connection lives (the four servers tested clear it
  // themselves; this costs a round trip only after a failed read).
  void clear_restart_position(const CurlReply& failed) {
    if (failed.code != CURLE_FTP_COULDNT_RETR_FILE && failed.code != CURLE_REMOTE_FILE_NOT_FOUND &&
        failed.code != CURLE_REMOTE_ACCESS_DENIED)
      return;
    run_commands({"*REST 0"});
  }

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
  const std::chrono::milliseconds accept_timeout_;
  // Learnt on the request thread (requests are serialized), read by set_protocol_options.
  std::atomic<bool> tls12_only_{false};
  std::string active_port_;  // "" passive; else CURLOPT_FTPPORT
  Listing listing_ = Listing::untried;
};

}  // namespace

std::unique_ptr<Transport> make_ftp_transport(const RemoteUrl& url, const TransportOptions& opts,
                                              Logger& log) {
  return std::make_unique<FtpTransport>(url, opts, log);
}

}  // namespace ftpchat
