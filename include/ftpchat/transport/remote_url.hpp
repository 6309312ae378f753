// Parsing, normalising and redacting the mount URL (libcurl's URL API underneath).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ftpchat/core/error.hpp"

namespace ftpchat {

// s3 is an S3 bucket (s3://BUCKET/PATH/): host holds the bucket; the endpoint, region and
// credentials come from options and the AWS environment, never from the URL. dav and davs
// are WebDAV over http and https: users write dav(s)://, libcurl is handed http(s)://.
enum class Scheme { ftp, ftps, sftp, file, s3, dav, davs };

struct RemoteUrl {
  Scheme scheme = Scheme::ftp;
  std::string user;        // empty: from ~/.netrc or anonymous
  std::string password;    // empty: from ~/.netrc; never printed
  std::string host;        // empty for file://; IPv6 literals keep their brackets; s3: bucket
  std::uint16_t port = 0;  // parse fills in the scheme's default; 0 also means default
  // Decoded directory path, always starting and ending in '/'. For ftp(s) it is relative to
  // the login directory as in any ftp:// URL; "//x/" (from "%2Fx/") is absolute.
  std::string path;

  // scheme://[user@]host[:port]/path/ without the password: safe for logs and errors.
  std::string redacted() const;
  // Same, naming `relative` under the base directory (percent-encoded per segment).
  std::string redacted_for(std::string_view relative) const;
  // URL of `relative` (percent-encoded per segment) under the base directory, with
  // credentials included for libcurl's use only; in the scheme libcurl speaks (http(s) for
  // dav(s)).
  std::string url_for(std::string_view relative) const;
};

// The scheme's well-known port (21, 990, 22, 80, 443; 0 for file).
std::uint16_t default_port(Scheme scheme);

// Accepts ftp://, ftps://, sftp://, s3://, dav://, davs://, file:// URLs and plain local paths
// (as file://).
// invalid_argument with a reason on anything else. The reason never repeats the input,
// which may hold a password.
Result<RemoteUrl> parse_remote_url(std::string_view text);

}  // namespace ftpchat
