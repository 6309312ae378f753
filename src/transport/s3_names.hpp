// Names on the wire for S3: the endpoint and its addressing style, object URLs, and the
// encoding SigV4 signs. Pure text handling, tested on its own.
// libcurl 7.88 signs the path and query exactly as written (CURLOPT_AWS_SIGV4), while the
// server signs its canonical form: so paths and queries are written canonical here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ftpchat/core/error.hpp"

namespace ftpchat {

// SigV4's UriEncode: unreserved bytes (A-Z a-z 0-9 - _ . ~) as they are, every other byte
// as %XX in upper case; '/' kept when `keep_slash` (object keys in a path).
std::string aws_uri_encode(std::string_view text, bool keep_slash);

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// SigV4's canonical query string: names and values encoded, sorted by name then value,
// "name=value" joined by '&'; an empty value keeps its '=' ("append=&position=5").
std::string canonical_query(QueryParams params);

struct S3Endpoint {
  std::string scheme;      // "http" or "https"
  std::string host;        // lower case; IPv6 literals keep their brackets
  std::uint16_t port = 0;  // 0: the scheme's own
  std::string path;        // "" or "/prefix" (no trailing '/'), for gateways under a path
  // Path-style (http://host/bucket/key) or virtual-host (http://bucket.host/key) requests.
  bool path_style = true;
};

// Addressing, as the endpoint needs:
// 1. Virtual-host only on AWS itself (a host ending in .amazonaws.com) and for bucket names
//    that are one DNS label (lower-case letters, digits, '-'; no dots, which would break the
//    TLS wildcard certificate).
// 2. Path-style everywhere else: IP and localhost endpoints, and the gateways people run
//    themselves (Ceph RGW, MinIO, Garage), which answer path-style without DNS set-up.
// invalid_argument with a reason on a URL that is not http(s)://host[:port][/path].
Result<S3Endpoint> parse_s3_endpoint(std::string_view text, std::string_view bucket);

// The URL of object `key` (as stored: unencoded, no leading '/'; "" for the bucket itself)
// with `query` (already canonical, "" for none).
std::string s3_request_url(const S3Endpoint& endpoint, std::string_view bucket,
                           std::string_view key, std::string_view query);

// What the once-per-mount probe (PUT ?append&position=0 on a scratch object) says about
// appendable objects:
// 1. 2xx with x-rgw-next-append-position: the server appends (Ceph RGW).
// 2. 2xx without it: the server ignored ?append and stored a plain object; an append at a
//    later position would have replaced the whole file, so never append there.
// 3. 400, 405, 501: the request is not understood: no appends.
// 4. Anything else (403, 404, 5xx, no reply) says nothing about appends: try again later.
enum class AppendProbe { appends, no_appends, unknown };
AppendProbe append_probe_verdict(long http_status, bool has_next_position);

// The endpoint as users may see it (scheme://host[:port][/path]).
std::string s3_endpoint_text(const S3Endpoint& endpoint);

}  // namespace ftpchat
