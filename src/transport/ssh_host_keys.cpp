// Host key policy for sftp:// and the choice of the key to log in with.
// 1. A key that matches ~/.ssh/known_hosts is trusted.
// 2. An unknown key is refused, unless -o accept_new_hostkey: then one line is APPENDED to
//    known_hosts (libcurl's own writer rewrites the whole file from libssh2's parse, which
//    would drop lines libssh2 cannot read).
// 3. A changed key is always refused: only the user may remove the old line (ssh-keygen -R).
#include "ssh_host_keys.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace ftpchat {
namespace {

std::string home_dir() {
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') return home;
  const passwd* pw = getpwuid(getuid());
  return pw != nullptr ? pw->pw_dir : "/";
}

bool readable(const std::string& path) { return ::access(path.c_str(), R_OK) == 0; }

std::string base64(const unsigned char* data, std::size_t len, int variant) {
  std::string out(sodium_base64_encoded_len(len, variant), '\0');
  sodium_bin2base64(out.data(), out.size(), data, len, variant);
  out.resize(std::strlen(out.c_str()));
  return out;
}

// The key type name an SSH public key blob starts with (uint32 length, then the name).
std::string blob_type(const unsigned char* blob, std::size_t len) {
  if (len < 4) return "";
  const std::uint32_t n = (std::uint32_t{blob[0]} << 24) | (std::uint32_t{blob[1]} << 16) |
                          (std::uint32_t{blob[2]} << 8) | std::uint32_t{blob[3]};
  if (n == 0 || n > 64 || n > len - 4) return "";
  return std::string(reinterpret_cast<const char*>(blob + 4), n);
}

// One known_hosts line for `found` (raw blob from libcurl), "" if it cannot be written.
std::string known_hosts_line(const std::string& host, const curl_khkey& found) {
  if (found.len == 0) return "";  // libcurl hands the offered key as raw bytes
  const auto* blob = reinterpret_cast<const unsigned char*>(found.key);
  const std::string type = blob_type(blob, found.len);
  if (type.empty()) return "";
  return host + " " + type + " " + base64(blob, found.len, sodium_base64_VARIANT_ORIGINAL) + "\n";
}

std::string fingerprint_of(const curl_khkey& found) {
  if (found.len == 0 || found.key == nullptr) return "";
  const auto* blob = reinterpret_cast<const unsigned char*>(found.key);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, blob, found.len);
  return blob_type(blob, found.len) +
         " SHA256:" + base64(digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
}

// Appends `line` to `path`, creating ~/.ssh (0700) and the file (0600) if needed.
bool append_line(const std::string& path, const std::string& line, std::string& error) {
  std::error_code ec;
  const auto dir = std::filesystem::path(path).parent_path();
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      error = "cannot create " + dir.string() + ": " + ec.message();
      return false;
    }
    ::chmod(dir.c_str(), 0700);
  }
  const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = "cannot open " + path + ": " + std::strerror(errno);
    return false;
  }
  // A file not ending in a newline would glue our line onto its last one.
  struct stat st {};
  std::string text = line;
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {
    char last = '\n';
    if (::pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n') text.insert(0, "\n");
  }
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  if (!ok) error = "cannot write " + path + ": " + std::strerror(errno);
  ::close(fd);
  return ok;
}

}  // namespace

std::string ssh_user_file(const std::string& name) { return home_dir() + "/.ssh/" + name; }

Result<std::string> choose_ssh_identity(const std::string& identity) {
  if (!identity.empty()) {
    std::string path = identity;
    if (path.rfind("~/", 0) == 0) path = home_dir() + path.substr(1);
    if (!readable(path))
      return make_error(Errc::invalid_argument,
                        "cannot read identity file " + path + ": " + std::strerror(errno));
    return path;
  }
  for (const char* name : {"id_ed25519", "id_ecdsa", "id_rsa"}) {
    std::string path = ssh_user_file(name);
    if (readable(path)) return path;
  }
  return std::string();
}

std::string known_hosts_name(const std::string& url_host, std::uint16_t port) {
  std::string host = url_host;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (port == 0 || port == 22) return host;
  return "[" + host + "]:" + std::to_string(port);
}

int HostKeyCheck::on_host_key(CURL*, const curl_khkey*, const curl_khkey* found, curl_khmatch match,
                              void* user) noexcept {
  auto* check = static_cast<HostKeyCheck*>(user);
  try {
    check->fingerprint = found != nullptr ? fingerprint_of(*found) : "";
    switch (match) {
      case CURLKHMATCH_OK:
        check->verdict = Verdict::trusted;
        return CURLKHSTAT_FINE;
      case CURLKHMATCH_MISMATCH:
        check->verdict = Verdict::changed;
        return CURLKHSTAT_REJECT;
      case CURLKHMATCH_MISSING:
      default:
        break;
    }
    if (!check->accept_new || found == nullptr) {
      check->verdict = Verdict::unknown;
      return CURLKHSTAT_REJECT;
    }
    const std::string line = known_hosts_line(check->host, *found);
    if (line.empty()) {
      check->verdict = Verdict::record_failed;
      check->record_error = "unreadable host key";
      return CURLKHSTAT_REJECT;
    }
    if (!append_line(check->known_hosts, line, check->record_error)) {
      check->verdict = Verdict::record_failed;
      return CURLKHSTAT_REJECT;
    }
    check->verdict = Verdict::recorded;
    return CURLKHSTAT_FINE;
  } catch (...) {
    check->verdict = Verdict::record_failed;
    return CURLKHSTAT_REJECT;
  }
}

Error HostKeyCheck::refusal() const {
  const std::string key = fingerprint.empty() ? "" : " (" + fingerprint + ")";
  switch (verdict) {
    case Verdict::changed:
      return make_error(Errc::tls, "host key of " + host + key + " does not match the one in " +
                                       known_hosts +
                                       ": someone may be impersonating the server; if its key "
                                       "really changed, remove the old one with ssh-keygen -R '" +
                                       host + "'");
    case Verdict::record_failed:
      return make_error(Errc::tls, "cannot record the host key of " + host + key + " in " +
                                       known_hosts + ": " + record_error);
    case Verdict::unknown:
    default:
      return make_error(Errc::tls,
                        "host key of " + host + key + " is not in " + known_hosts +
                            "; if the fingerprint is right, add it (connect once with ssh, or "
                            "ssh-keyscan), or mount once with -o accept_new_hostkey (ftpchat: "
                            "--accept-new-hostkey)");
  }
}

}  // namespace ftpchat
