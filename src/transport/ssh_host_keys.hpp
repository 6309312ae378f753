// SSH client-side trust and identity for sftp://: which private key to offer, and the host key
// check against ~/.ssh/known_hosts (libcurl's CURLOPT_SSH_KEYFUNCTION), with ssh's
// "accept-new" policy: record an unknown key on request, never a changed one.
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <string>

#include "ftpchat/core/error.hpp"

namespace ftpchat {

// $HOME (or the passwd entry's home) + "/.ssh/" + name.
std::string ssh_user_file(const std::string& name);

// The private key to offer: `identity` if given (invalid_argument if unreadable), else the
// first readable of ~/.ssh/id_ed25519, id_ecdsa, id_rsa; "" if none (agent or password only).
Result<std::string> choose_ssh_identity(const std::string& identity);

// The known_hosts name of a host: "host" on port 22, "[host]:port" otherwise (IPv6 literals
// without their URL brackets).
std::string known_hosts_name(const std::string& url_host, std::uint16_t port);

// The state CURLOPT_SSH_KEYDATA points at; on_host_key is the CURLOPT_SSH_KEYFUNCTION.
struct HostKeyCheck {
  enum class Verdict { not_checked, trusted, recorded, unknown, changed, record_failed };

  std::string host;         // known_hosts_name()
  std::string known_hosts;  // file path
  bool accept_new = false;
  Verdict verdict = Verdict::not_checked;  // of the last connection's check
  std::string fingerprint;                 // "ssh-ed25519 SHA256:..." of the key offered
  std::string record_error;                // with record_failed: why

  static int on_host_key(CURL* easy, const curl_khkey* known, const curl_khkey* found,
                         curl_khmatch match, void* user) noexcept;

  // Whether the last connection failed this check, and the error to report then.
  bool refused() const {
    return verdict == Verdict::unknown || verdict == Verdict::changed ||
           verdict == Verdict::record_failed;
  }
  Error refusal() const;
};

}  // namespace ftpchat
