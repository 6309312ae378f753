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
// 5. Round trips: libcurl opens, reads and closes a handle per request, one request at a
//    time (listing: OPENDIR, READDIR, READDIR, CLOSE; read: OPEN, STAT, READ..., CLOSE;
//    append: OPEN, WRITE, CLOSE), and no libcurl option changes that (docs/PERFORMANCE.md).
//    What an option does change is how much a long read keeps in flight: libssh2 asks for 4x
//    the buffer libcurl reads into (16 KiB by default: 64 KiB, about 0.6 MB/s at 100 ms), so
//    a larger buffer lets history arrive at the link's speed. libcurl caps each read at the
//    bytes the file has left, so short reads ask for no more than before.
// 6. SSH compression (zlib, after login): a listing crosses in a third fewer bytes, base64
//    records in a quarter fewer (bench/sftp_requests.py); everything in it is end-to-end
//    encrypted or metadata the server sees anyway.
#include "sftp_transport.hpp"

#include <pwd.h>
#include <unistd.h>

#include "curl_transport_base.hpp"
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
  if (url.user.empty()) url.user = login_name();
  return url;
}

struct SshSettings {
  std::string private_key;  // "" : none (agent, password)
  std::string public_key;   // "" : libssh2 derives it from the private key
  bool insecure = false;
};

// libssh2 then keeps up to 4 x 512 KiB = 2 MiB of reads in flight (it caps that at 8 MiB).
constexpr long kSftpBufferBytes = 512L * 1024;

void apply_ssh_options(CURL* easy, const SshSettings& ssh, HostKeyCheck& check) {
  curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, kSftpBufferBytes);
  curl_easy_setopt(easy, CURLOPT_SSH_COMPRESSION, 1L);
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

class SftpTransport final : public CurlTransportBase {
 public:
  SftpTransport(const RemoteUrl& url, const TransportOptions& opts, Logger& log, SshSettings ssh)
      : CurlTransportBase(prepared_url(url), opts, log, CurlFlavour::sftp), ssh_(std::move(ssh)) {
    host_check_.host = known_hosts_name(url.host, url.port);
    host_check_.known_hosts = ssh_user_file("known_hosts");
    host_check_.accept_new = opts.accept_new_hostkey;
  }

 protected:
  void set_protocol_options(CURL* easy) override { apply_ssh_options(easy, ssh_, host_check_); }

  // libcurl passes the server's "ls -l" style long names through.
  Result<std::vector<DirEntry>> list_dir(const std::string& dir) override {
    return list_long_names(dir.empty() ? "" : dir + "/", "listing line");
  }

  Step download(const std::string& path, std::uint64_t from, const ByteSink& sink) override {
    CurlRequest request;
    request.url = url().url_for(path);
    request.resume_from = from;
    request.sink = &sink;
    CurlReply reply = run(request);
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
    if (!reply.ok()) return Step::failure(failure(reply, "appending to", path));
    return Step::ok();
  }

  Result<void> create_exclusive(const std::string& path, std::string_view data) override {
    auto base = absolute_base();
    if (!base) return base.error();
    const std::string temp = temporary_name(path);
    CurlRequest request;
    request.kind = RequestKind::upload;
    request.url = url().url_for(temp);
    request.data = data;
    request.postquote = {"rename " + quoted(*base + temp) + " " + quoted(*base + path)};
    CurlReply reply = run(request);
    if (reply.ok()) return {};
    Error error = failure(reply, "creating", path);
    if (reply.code == CURLE_QUOTE_ERROR) {  // uploaded, but the rename was refused
      run_commands({"rm " + quoted(*base + temp)});
      auto present = has_entry(path);
      if (present && *present) return already_exists(path);
    }
    return error;
  }

  Result<void> make_folder(const std::string& path) override {
    auto base = absolute_base();
    if (!base) return base.error();
    CurlReply reply = run_commands({"mkdir " + quoted(*base + path)});
    if (reply.ok()) return {};
    if (reply.code != CURLE_QUOTE_ERROR) return failure(reply, "making directory", path);
    // OpenSSH answers a plain "failure" for an existing directory: the parent decides.
    auto present = has_entry(path);
    if (present && *present) return folder_exists(path);
    return failure(reply, "making directory", path);
  }

  void before_request() override { host_check_.verdict = HostKeyCheck::Verdict::not_checked; }

  void after_request(const CurlReply&) override {
    if (host_check_.verdict == HostKeyCheck::Verdict::recorded)
      log().warning("recorded the new host key of " + host_check_.host + " (" +
                    host_check_.fingerprint + ") in " + host_check_.known_hosts);
  }

  Error failure(const CurlReply& reply, std::string_view action,
                std::string_view relative) const override {
    if (reply.code == CURLE_PEER_FAILED_VERIFICATION && host_check_.refused())
      return host_check_.refusal();
    return CurlTransportBase::failure(reply, action, relative);
  }

 private:
  CurlReply run_commands(std::vector<std::string> commands) {
    CurlRequest request;
    request.kind = RequestKind::commands;
    request.url = url().url_for("");
    request.quote = std::move(commands);
    return run(request);
  }

  // The base directory as an absolute server path ending in '/'.
  Result<std::string> absolute_base() {
    if (!base_.empty()) return base_;
    if (url().path.rfind("/~/", 0) != 0) return base_ = url().path;
    CurlReply reply = run_commands({"pwd"});
    if (!reply.ok()) return failure(reply, "finding the home directory of", "");
    const std::size_t open = reply.last_reply.find('"');
    const std::size_t close = reply.last_reply.rfind('"');
    if (reply.last_reply.rfind("257", 0) != 0 || open == std::string::npos || close <= open + 1)
      return make_error(Errc::protocol,
                        "cannot find the home directory behind " + url().redacted());
    base_ = reply.last_reply.substr(open + 1, close - open - 1);
    if (base_.back() != '/') base_.push_back('/');
    return base_;
  }

  SshSettings ssh_;
  HostKeyCheck host_check_;  // filled by the key callback during each connect
  std::string base_;         // absolute base path, once known
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
