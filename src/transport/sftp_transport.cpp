// SFTP operations as libcurl requests on one persistent SSH connection (libcurl keeps the
// session in the multi handle's cache, as for FTP).
// 1. Paths: sftp://host/abs/path/ is absolute; sftp://host/~/path/ is under the login's home.
//    Raw commands (mkdir, rename, rm) need the absolute path: libcurl's "pwd" on the base URL
//    reports it with '~' expanded, once per transport.
// 2. append: CURLOPT_APPEND opens with SSH_FXF_APPEND, which OpenSSH maps to O_APPEND.
// 3. create_file: upload to a temporary name, then "rename": SFTP (v3, OpenSSH) refuses to
//    rename onto an existing file, so the create is exclusive.
// 4. RSA keys: libssh2 1.10 signs only with ssh-rsa (SHA-1), which OpenSSH >= 8.8 refuses by
//    default; use ed25519 or ecdsa keys.
#include "sftp_transport.hpp"

#include <pwd.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>

#include "curl_errors.hpp"
#include "curl_session.hpp"
#include "ftpchat/core/bytes.hpp"
#include "ftpchat/transport/ftp_list.hpp"
#include "relative_path.hpp"
#include "ssh_host_keys.hpp"

namespace ftpchat {
namespace {

// libcurl's quote commands read a path in double quotes with '\' escaping '"' and '\'.
std::string quoted(std::string_view path) {
  std::string out = "\"";
  for (char c : path) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string login_name() {
  const passwd* pw = getpwuid(getuid());
  return pw != nullptr ? pw->pw_name : "";
}

// Like ssh, the local login name when the URL names no user (~/.netrc may give the password).
RemoteUrl prepared_url(RemoteUrl url) {
  sodium_memzero(url.password.data(), url.password.size());
  url.password.clear();
  if (url.user.empty()) url.user = login_name();
  return url;
}

struct SshSettings {
  std::string private_key;  // "" : none (agent, password)
  std::string public_key;   // "" : libssh2 derives it from the private key
  bool insecure = false;
};

void apply_ssh_options(CURL* easy, const SshSettings& ssh, HostKeyCheck& check) {
  curl_easy_setopt(easy, CURLOPT_SSH_AUTH_TYPES,
                   static_cast<long>(CURLSSH_AUTH_PUBLICKEY | CURLSSH_AUTH_AGENT |
                                     CURLSSH_AUTH_PASSWORD | CURLSSH_AUTH_KEYBOARD));
  if (!ssh.private_key.empty()) {
    curl_easy_setopt(easy, CURLOPT_SSH_PRIVATE_KEYFILE, ssh.private_key.c_str());
    curl_easy_setopt(easy, CURLOPT_SSH_PUBLIC_KEYFILE, ssh.public_key.c_str());
  }
  if (ssh.insecure) return;  // no known_hosts: libcurl then accepts any host key
  curl_easy_setopt(easy, CURLOPT_SSH_KNOWNHOSTS, check.known_hosts.c_str());
  curl_easy_setopt(easy, CURLOPT_SSH_KEYFUNCTION, &HostKeyCheck::on_host_key);
  curl_easy_setopt(easy, CURLOPT_SSH_KEYDATA, &check);
}

class SftpTransport final : public Transport {
 public:
  SftpTransport(const RemoteUrl& url, const TransportOptions& opts, Logger& log, SshSettings ssh)
      : url_(prepared_url(url)),
        log_(log),
        ssh_(std::move(ssh)),
        session_(
            opts, log,
            CurlProtocol{[this](CURL* easy) { apply_ssh_options(easy, ssh_, host_check_); }, false},
            url.password) {
    host_check_.host = known_hosts_name(url.host, url.port);
    host_check_.known_hosts = ssh_user_file("known_hosts");
    host_check_.accept_new = opts.accept_new_hostkey;
  }

  Result<std::vector<DirEntry>> list(const std::string& dir_in) override {
    std::string dir = dir_in;
    if (!dir.empty() && dir.back() == '/') dir.pop_back();
    if (auto valid = check_relative_path(dir, true); !valid) return valid.error();
    const std::string dir_slash = dir.empty() ? "" : dir + "/";
    CurlRequest request;
    request.url = url_.url_for(dir_slash);
    CurlReply reply = run(request);
    if (!reply.ok()) return failure(reply, "listing", dir_slash);
    // libcurl passes the server's "ls -l" style long names through.
    FtpListing listing = parse_ftp_listing(reply.body);
    for (const auto& line : listing.unparsed)
      log_.debug("skipping unreadable listing line for " + url_.redacted_for(dir_slash) + ": " +
                 line);
    return std::move(listing.entries);
  }

  Result<void> read_to(const std::string& path, std::uint64_t offset,
                       const ByteSink& sink) override {
    if (auto valid = check_relative_path(path, false); !valid) return valid.error();
    CurlRequest request;
    request.url = url_.url_for(path);
    request.resume_from = offset;
    request.sink = &sink;
    CurlReply reply = run(request);
    if (reply.code == CURLE_BAD_DOWNLOAD_RESUME)
      return make_error(Errc::bad_data, "file " + url_.redacted_for(path) +
                                            " is shorter than the " + std::to_string(offset) +
                                            " bytes already read");
    if (!reply.ok()) return failure(reply, "reading", path);
    return {};
  }

  Result<void> append(const std::string& path, std::string_view data) override {
    if (auto valid = check_relative_path(path, false); !valid) return valid.error();
    CurlRequest request;
    request.kind = RequestKind::append;
    request.url = url_.url_for(path);
    request.data = data;
    CurlReply reply = run(request);
    if (!reply.ok()) return failure(reply, "appending to", path);
    return {};
  }

  Result<void> create_file(const std::string& path, std::string_view data) override {
    if (auto valid = check_relative_path(path, false); !valid) return valid.error();
    auto base = absolute_base();
    if (!base) return base.error();
    const PathParts parts = split_relative_path(path);
    const std::string prefix = parts.parent.empty() ? "" : parts.parent + "/";
    const std::string temp =
        prefix + "." + parts.name + ".tmp-" + to_hex(as_chars(random_id()).substr(0, 8));
    CurlRequest request;
    request.kind = RequestKind::upload;
    request.url = url_.url_for(temp);
    request.data = data;
    request.postquote = {"rename " + quoted(*base + temp) + " " + quoted(*base + path)};
    CurlReply reply = run(request);
    if (reply.ok()) return {};
    Error error = failure(reply, "creating", path);
    if (reply.code == CURLE_QUOTE_ERROR) {  // uploaded, but the rename was refused
      run_commands({"rm " + quoted(*base + temp)});
      auto present = has_entry(parts);
      if (present && *present)
        return make_error(Errc::exists, url_.redacted_for(path) + " already exists");
    }
    return error;
  }

  Result<void> make_dir(const std::string& path) override {
    if (auto valid = check_relative_path(path, false); !valid) return valid.error();
    auto base = absolute_base();
    if (!base) return base.error();
    CurlReply reply = run_commands({"mkdir " + quoted(*base + path)});
    if (reply.ok()) return {};
    if (reply.code != CURLE_QUOTE_ERROR) return failure(reply, "making directory", path);
    // OpenSSH answers a plain "failure" for an existing directory: the parent decides.
    auto present = has_entry(split_relative_path(path));
    if (present && *present)
      return make_error(Errc::exists, "directory " + url_.redacted_for(path) + " already exists");
    return failure(reply, "making directory", path);
  }

  std::string display_url() const override { return url_.redacted(); }
  TransportStats stats() const override { return session_.stats(); }

 private:
  CurlReply run(const CurlRequest& request) {
    host_check_.verdict = HostKeyCheck::Verdict::not_checked;
    CurlReply reply = session_.run(request);
    if (host_check_.verdict == HostKeyCheck::Verdict::recorded)
      log_.warning("recorded the new host key of " + host_check_.host + " (" +
                   host_check_.fingerprint + ") in " + host_check_.known_hosts);
    return reply;
  }

  CurlReply run_commands(std::vector<std::string> commands) {
    CurlRequest request;
    request.kind = RequestKind::commands;
    request.url = url_.url_for("");
    request.quote = std::move(commands);
    return run(request);
  }

  // The base directory as an absolute server path ending in '/'.
  Result<std::string> absolute_base() {
    if (!base_.empty()) return base_;
    if (url_.path.rfind("/~/", 0) != 0) return base_ = url_.path;
    CurlReply reply = run_commands({"pwd"});
    if (!reply.ok()) return failure(reply, "finding the home directory of", "");
    const std::size_t open = reply.last_reply.find('"');
    const std::size_t close = reply.last_reply.rfind('"');
    if (reply.last_reply.rfind("257", 0) != 0 || open == std::string::npos || close <= open + 1)
      return make_error(Errc::protocol, "cannot find the home directory behind " + url_.redacted());
    base_ = reply.last_reply.substr(open + 1, close - open - 1);
    if (base_.back() != '/') base_.push_back('/');
    return base_;
  }

  Result<bool> has_entry(const PathParts& parts) {
    auto entries = list(parts.parent);
    if (!entries) return entries.error();
    return std::any_of(entries->begin(), entries->end(),
                       [&](const DirEntry& e) { return e.name == parts.name; });
  }

  Error failure(const CurlReply& reply, std::string_view action, std::string_view relative) const {
    if (reply.code == CURLE_PEER_FAILED_VERIFICATION && host_check_.refused())
      return host_check_.refusal();
    // SFTP has no reply lines: libcurl's text ("Permission denied") is the server's word.
    CurlFailure f{reply.code, 0, "", reply.error_text, reply.cancelled};
    if (reply.code == CURLE_REMOTE_ACCESS_DENIED || reply.code == CURLE_QUOTE_ERROR)
      f.server_reply = reply.error_text;
    Error error = map_curl_error(f, std::string(action) + " " + url_.redacted_for(relative));
    if (reply.code == CURLE_QUOTE_ERROR)
      error.code = error.detail.find("ermission denied") != std::string::npos ? Errc::permission
                                                                              : Errc::protocol;
    return error;
  }

  RemoteUrl url_;
  Logger& log_;
  SshSettings ssh_;
  HostKeyCheck host_check_;  // filled by the key callback during each connect
  std::string base_;         // absolute base path, once known
  CurlSession session_;      // last: its option lambda reads the members above
};

}  // namespace

Result<std::unique_ptr<Transport>> make_sftp_transport(const RemoteUrl& url,
                                                       const TransportOptions& opts, Logger& log) {
  auto key = choose_ssh_identity(opts.identity);
  if (!key) return key.error();
  SshSettings ssh;
  ssh.private_key = *key;
  if (!ssh.private_key.empty() && ::access((ssh.private_key + ".pub").c_str(), R_OK) == 0)
    ssh.public_key = ssh.private_key + ".pub";
  ssh.insecure = opts.insecure;
  if (!ssh.private_key.empty()) log.debug("sftp: offering the key " + ssh.private_key);
  std::unique_ptr<Transport> transport =
      std::make_unique<SftpTransport>(url, opts, log, std::move(ssh));
  return transport;
}

}  // namespace ftpchat
