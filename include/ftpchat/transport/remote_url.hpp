// Parsing, normalising and redacting the mount URL (libcurl's URL API underneath).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ftpchat/core/error.hpp"

namespace ftpchat {

enum class Scheme { ftp, ftps, sftp, file };

struct RemoteUrl {
  Scheme scheme = Scheme::ftp;
  std::string user;      // empty: from ~/.netrc or anonymous
  std::string password;  // empty: from ~/.netrc; never printed
  std::string host;
  std::uint16_t port = 0;  // 0: scheme default
  std::string path;        // absolute directory path, always ending in '/'

  // scheme://[user@]host[:port]/path/ without the password: safe for logs and errors.
  std::string redacted() const;
  // URL of `relative` (percent-encoded per segment) under the base directory, with
  // credentials included for libcurl's use only.
  std::string url_for(std::string_view relative) const;
};

// Accepts ftp://, ftps://, sftp://, file:// URLs and plain local paths (as file://).
// invalid_argument with a reason on anything else.
Result<RemoteUrl> parse_remote_url(std::string_view text);

}  // namespace ftpchat
