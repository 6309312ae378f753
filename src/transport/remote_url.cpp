// Mount URL parsing and building over libcurl's URL API (CURLU), so that what we accept and
// what we hand to libcurl follow the same rules. Error reasons never echo the input text:
// it may carry a password.
#include "ftpchat/transport/remote_url.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <memory>
#include <optional>

namespace ftpchat {
namespace {

using UrlPtr = std::unique_ptr<CURLU, decltype(&curl_url_cleanup)>;

UrlPtr new_url() { return UrlPtr(curl_url(), &curl_url_cleanup); }

Error invalid(std::string reason) { return make_error(Errc::invalid_argument, std::move(reason)); }

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// One part of a parsed URL, or nullopt with the reason in `code`.
std::optional<std::string> get_part(CURLU* url, CURLUPart part, unsigned flags, CURLUcode& code) {
  char* raw = nullptr;
  code = curl_url_get(url, part, &raw, flags);
  if (code != CURLUE_OK || raw == nullptr) return std::nullopt;
  std::string value(raw);
  curl_free(raw);
  return value;
}

std::optional<Scheme> scheme_from_name(std::string_view name) {
  if (name == "ftp") return Scheme::ftp;
  if (name == "ftps") return Scheme::ftps;
  if (name == "sftp") return Scheme::sftp;
  if (name == "file") return Scheme::file;
  if (name == "s3") return Scheme::s3;
  if (name == "dav") return Scheme::dav;
  if (name == "davs") return Scheme::davs;
  return std::nullopt;
}

const char* scheme_name(Scheme scheme) {
  switch (scheme) {
    case Scheme::ftp:
      return "ftp";
    case Scheme::ftps:
      return "ftps";
    case Scheme::sftp:
      return "sftp";
    case Scheme::file:
      return "file";
    case Scheme::s3:
      return "s3";
    case Scheme::dav:
      return "dav";
    case Scheme::davs:
      return "davs";
  }
  return "ftp";
}

// The scheme libcurl speaks for `scheme`: WebDAV is HTTP with more methods.
const char* wire_scheme_name(Scheme scheme) {
  switch (scheme) {
    case Scheme::dav:
      return "http";
    case Scheme::davs:
      return "https";
    default:
      return scheme_name(scheme);
  }
}

constexpr const char* kSupportedSchemes =
    "ftp://, ftps://, sftp://, s3://, dav://, davs:// or file://";

// Length of a leading RFC 3986 scheme name ("ftp" in "ftp://..."), 0 if there is none.
std::size_t scheme_length(std::string_view text) {
  if (text.empty() || !std::isalpha(static_cast<unsigned char>(text[0]))) return 0;
  std::size_t n = 1;
  while (n < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[n]);
    if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') break;
    ++n;
  }
  return n;
}

std::string with_slashes(std::string path) {
  if (path.empty() || path.front() != '/') path.insert(path.begin(), '/');
  if (path.back() != '/') path.push_back('/');
  return path;
}

Result<RemoteUrl> parse_local_path(std::string_view text) {
  std::error_code ec;
  auto absolute = std::filesystem::absolute(std::filesystem::path(text), ec);
  if (ec) return invalid("cannot make the local path absolute: " + ec.message());
  RemoteUrl url;
  url.scheme = Scheme::file;
  url.path = with_slashes(absolute.lexically_normal().string());
  return url;
}

Result<RemoteUrl> parse_url(std::string_view text, Scheme scheme) {
  // Checked before libcurl sees the text: curl silently drops an empty '#' or '?' and reads
  // "ftp:///x" as host "x", both of which would surprise the user.
  if (text.find_first_of("?#") != std::string_view::npos)
    return invalid(
        "URL must not have a query or fragment ('?' or '#'); write them as %3F "
        "and %23 in names");
  const std::size_t after_slashes = text.find("://") + 3;
  if (scheme != Scheme::file && (after_slashes >= text.size() || text[after_slashes] == '/'))
    return invalid(std::string("missing host in ") + scheme_name(scheme) + ":// URL");

  UrlPtr handle = new_url();
  if (!handle) return make_error(Errc::internal, "out of memory parsing the URL");
  const std::string copy(text);
  // NON_SUPPORT_SCHEME: libcurl knows no s3:// or dav://; which schemes we take was decided above.
  CURLUcode code =
      curl_url_set(handle.get(), CURLUPART_URL, copy.c_str(), CURLU_NON_SUPPORT_SCHEME);
  if (code != CURLUE_OK) {
    std::string reason = "malformed URL: " + lower(curl_url_strerror(code));
    if (text.find(' ') != std::string_view::npos) reason += " (write spaces as %20)";
    return invalid(reason);
  }

  RemoteUrl url;
  url.scheme = scheme;
  if (auto host = get_part(handle.get(), CURLUPART_HOST, 0, code)) url.host = *host;
  if (scheme != Scheme::file && url.host.empty())
    return invalid(std::string("missing host in ") + scheme_name(scheme) + ":// URL");
  if (auto port = get_part(handle.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT, code)) {
    unsigned value = 0;
    auto [end, err] = std::from_chars(port->data(), port->data() + port->size(), value);
    if (err != std::errc() || end != port->data() + port->size() || value > 65535)
      return invalid("URL port must be a number between 1 and 65535");
    if (value == 0 && scheme != Scheme::file)
      return invalid("URL port must be a number between 1 and 65535");
    url.port = static_cast<std::uint16_t>(value);
  }
  if (url.port == 0) url.port = default_port(scheme);  // schemes libcurl has no default for
  if (auto user = get_part(handle.get(), CURLUPART_USER, CURLU_URLDECODE, code))
    url.user = *user;
  else if (code == CURLUE_URLDECODE)
    return invalid("URL user name contains control characters");
  if (auto pass = get_part(handle.get(), CURLUPART_PASSWORD, CURLU_URLDECODE, code))
    url.password = *pass;
  else if (code == CURLUE_URLDECODE)
    return invalid("URL password contains control characters");
  if (scheme == Scheme::file && (!url.user.empty() || !url.password.empty()))
    return invalid("file:// URLs take no user name or password");
  if (scheme == Scheme::s3 && (!url.user.empty() || !url.password.empty()))
    return invalid(
        "s3:// URLs take no credentials; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or "
        "use ~/.aws/credentials");
  if (scheme == Scheme::s3 && url.port != 0)
    return invalid("s3:// URLs take no port; give the server with -o endpoint=URL");

  auto path = get_part(handle.get(), CURLUPART_PATH, CURLU_URLDECODE, code);
  if (!path) {
    if (code == CURLUE_URLDECODE) return invalid("URL path contains control characters");
    path = "/";
  }
  url.path = with_slashes(*path);
  return url;
}

// Builds scheme://[user[:password]@]host[:port]/path/relative with each part encoded; `wire`
// names the scheme as libcurl speaks it (http for dav), else as the user wrote it.
std::string build_url(const RemoteUrl& url, std::string_view relative, bool with_password,
                      bool wire) {
  UrlPtr handle = new_url();
  if (!handle) return {};
  CURLU* h = handle.get();
  CURLUcode code = curl_url_set(h, CURLUPART_SCHEME,
                                wire ? wire_scheme_name(url.scheme) : scheme_name(url.scheme),
                                CURLU_NON_SUPPORT_SCHEME);
  if (url.scheme != Scheme::file) {
    if (code == CURLUE_OK) code = curl_url_set(h, CURLUPART_HOST, url.host.c_str(), 0);
    if (code == CURLUE_OK && url.port != 0 && url.port != default_port(url.scheme))
      code = curl_url_set(h, CURLUPART_PORT, std::to_string(url.port).c_str(), 0);
    if (code == CURLUE_OK && !url.user.empty())
      code = curl_url_set(h, CURLUPART_USER, url.user.c_str(), CURLU_URLENCODE);
    if (code == CURLUE_OK && with_password && !url.password.empty())
      code = curl_url_set(h, CURLUPART_PASSWORD, url.password.c_str(), CURLU_URLENCODE);
  }
  // CURLU_URLENCODE encodes every byte a path segment cannot hold (space, '#', '%', '?',
  // UTF-8) and leaves the '/' separators alone, which is exactly per-segment encoding.
  const std::string path = with_slashes(url.path) + std::string(relative);
  if (code == CURLUE_OK) code = curl_url_set(h, CURLUPART_PATH, path.c_str(), CURLU_URLENCODE);
  if (code != CURLUE_OK) return {};
  CURLUcode get_code = CURLUE_OK;
  return get_part(h, CURLUPART_URL, 0, get_code).value_or(std::string());
}

}  // namespace

std::uint16_t default_port(Scheme scheme) {
  switch (scheme) {
    case Scheme::ftp:
      return 21;
    case Scheme::ftps:
      return 990;
    case Scheme::sftp:
      return 22;
    case Scheme::file:
    case Scheme::s3:
      return 0;
    case Scheme::dav:
      return 80;
    case Scheme::davs:
      return 443;
  }
  return 0;
}

std::string RemoteUrl::redacted() const { return build_url(*this, "", false, false); }

std::string RemoteUrl::redacted_for(std::string_view relative) const {
  return build_url(*this, relative, false, false);
}

std::string RemoteUrl::url_for(std::string_view relative) const {
  return build_url(*this, relative, true, true);
}

Result<RemoteUrl> parse_remote_url(std::string_view text) {
  if (text.empty()) return invalid("empty URL");
  const std::size_t scheme_len = scheme_length(text);
  const bool has_scheme = scheme_len > 0 && text.substr(scheme_len, 3) == "://";
  if (has_scheme) {
    const std::string name = lower(text.substr(0, scheme_len));
    auto scheme = scheme_from_name(name);
    if (!scheme) return invalid("unsupported URL scheme '" + name + "'; use " + kSupportedSchemes);
    return parse_url(text, *scheme);
  }
  // "ftp:host/dir" and similar: a scheme we know, but not followed by "//".
  if (scheme_len > 0 && scheme_len < text.size() && text[scheme_len] == ':' &&
      scheme_from_name(lower(text.substr(0, scheme_len))))
    return invalid("malformed URL: write scheme://host/path/, e.g. ftp://host/chat/");
  std::error_code ec;
  if (text.front() == '/' || text.front() == '.' ||
      std::filesystem::is_directory(std::filesystem::path(text), ec))
    return parse_local_path(text);
  return invalid(std::string("missing URL scheme; use ") + kSupportedSchemes +
                 ", or give an existing local directory");
}

}  // namespace ftpchat
