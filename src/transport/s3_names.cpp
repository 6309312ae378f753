// S3 endpoints, addressing and SigV4's canonical encoding (see the header).
#include "s3_names.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>

namespace ftpchat {
namespace {

bool unreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool is_ipv4(std::string_view host) {
  int dots = 0;
  for (char c : host) {
    if (c == '.')
      ++dots;
    else if (!std::isdigit(static_cast<unsigned char>(c)))
      return false;
  }
  return dots == 3;
}

// One DNS label, as S3 bucket names are when they can be a host name's first part.
bool one_dns_label(std::string_view bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  if (bucket.front() == '-' || bucket.back() == '-') return false;
  return std::all_of(bucket.begin(), bucket.end(), [](unsigned char c) {
    return std::islower(c) || std::isdigit(c) || c == '-';
  });
}

using UrlPtr = std::unique_ptr<CURLU, decltype(&curl_url_cleanup)>;

std::string get_part(CURLU* url, CURLUPart part, CURLUcode& code) {
  char* raw = nullptr;
  code = curl_url_get(url, part, &raw, 0);
  if (code != CURLUE_OK || raw == nullptr) return {};
  std::string value(raw);
  curl_free(raw);
  return value;
}

Error invalid(std::string reason) { return make_error(Errc::invalid_argument, std::move(reason)); }

}  // namespace

std::string aws_uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0f]);
    }
  }
  return out;
}

std::string canonical_query(QueryParams params) {
  for (auto& [name, value] : params) {
    name = aws_uri_encode(name, false);
    value = aws_uri_encode(value, false);
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    out += name + "=" + value;
  }
  return out;
}

Result<S3Endpoint> parse_s3_endpoint(std::string_view text, std::string_view bucket) {
  const std::string reason_prefix = "-o endpoint must be an http:// or https:// URL";
  UrlPtr handle(curl_url(), &curl_url_cleanup);
  if (!handle) return make_error(Errc::internal, "out of memory parsing the endpoint");
  const std::string copy(text);
  CURLUcode code = curl_url_set(handle.get(), CURLUPART_URL, copy.c_str(), 0);
  if (code != CURLUE_OK) return invalid(reason_prefix + " such as http://127.0.0.1:7480");
  S3Endpoint ep;
  ep.scheme = lower(get_part(handle.get(), CURLUPART_SCHEME, code));
  if (ep.scheme != "http" && ep.scheme != "https")
    return invalid(reason_prefix + ", not " + ep.scheme + "://");
  get_part(handle.get(), CURLUPART_USER, code);
  if (code == CURLUE_OK)
    return invalid(
        "-o endpoint takes no credentials; use AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY or ~/.aws/credentials");
  get_part(handle.get(), CURLUPART_QUERY, code);
  if (code == CURLUE_OK) return invalid("-o endpoint takes no query ('?')");
  ep.host = lower(get_part(handle.get(), CURLUPART_HOST, code));
  if (ep.host.empty()) return invalid(reason_prefix + " with a host");
  const std::string port = get_part(handle.get(), CURLUPART_PORT, code);
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, err] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (err != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
      return invalid("-o endpoint port must be a number between 1 and 65535");
    ep.port = static_cast<std::uint16_t>(value);
  }
  ep.path = get_part(handle.get(), CURLUPART_PATH, code);
  while (!ep.path.empty() && ep.path.back() == '/') ep.path.pop_back();

  const bool ip = ep.host.front() == '[' || is_ipv4(ep.host);
  const bool aws = ends_with(ep.host, ".amazonaws.com");
  ep.path_style = ip || ep.host == "localhost" || !aws || !one_dns_label(bucket);
  return ep;
}

std::string s3_request_url(const S3Endpoint& ep, std::string_view bucket, std::string_view key,
                           std::string_view query) {
  std::string out = ep.scheme + "://";
  if (!ep.path_style) out += std::string(bucket) + ".";
  out += ep.host;
  if (ep.port != 0) out += ":" + std::to_string(ep.port);
  out += ep.path;
  if (ep.path_style) {
    out += "/" + aws_uri_encode(bucket, false);
    if (!key.empty()) out += "/" + aws_uri_encode(key, true);
  } else {
    out += "/" + aws_uri_encode(key, true);
  }
  if (!query.empty()) out += "?" + std::string(query);
  return out;
}

AppendProbe append_probe_verdict(long http_status, bool has_next_position) {
  if (http_status >= 200 && http_status < 300)
    return has_next_position ? AppendProbe::appends : AppendProbe::no_appends;
  if (http_status == 400 || http_status == 405 || http_status == 501)
    return AppendProbe::no_appends;
  return AppendProbe::unknown;
}

std::string s3_endpoint_text(const S3Endpoint& ep) {
  std::string out = ep.scheme + "://" + ep.host;
  if (ep.port != 0) out += ":" + std::to_string(ep.port);
  return out + ep.path;
}

}  // namespace ftpchat
