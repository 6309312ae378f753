// -o active[=SPEC] -> libcurl's CURLOPT_FTPPORT ("-", ":LO-HI", "ADDRESS", "ADDRESS:LO-HI").
#include <cctype>
#include <charconv>
#include <optional>

#include "ftpchat/transport/curl_transport.hpp"

namespace ftpchat {
namespace {

std::optional<unsigned> port_number(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > 65535)
    return std::nullopt;
  return value;
}

// "PORT" or "LO-HI" with LO <= HI, each 1..65535.
bool is_port_range(std::string_view text) {
  const std::size_t dash = text.find('-');
  if (dash == std::string_view::npos) return port_number(text).has_value();
  const auto low = port_number(text.substr(0, dash));
  const auto high = port_number(text.substr(dash + 1));
  return low && high && *low <= *high;
}

// A host name, IPv4 address or interface name; or an IPv6 address in brackets.
bool is_address(std::string_view text) {
  if (text.empty()) return false;
  if (text.front() == '[') {
    if (text.size() < 3 || text.back() != ']') return false;
    for (char c : text.substr(1, text.size() - 2))
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
    return true;
  }
  for (char c : text)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_')
      return false;
  return text.front() != '-';  // "-" alone is libcurl's "the default address": spec ""
}

Error bad(std::string_view spec, std::string_view why) {
  return make_error(Errc::invalid_argument,
                    "bad value for active: '" + std::string(spec) + "' (" + std::string(why) +
                        "; e.g. active, active=40000-40099 or active=192.0.2.7:40000-40099)");
}

}  // namespace

Result<std::string> parse_active_mode(std::string_view spec) {
  if (spec.empty()) return std::string("-");
  if (is_port_range(spec)) return ":" + std::string(spec);
  if (spec.find_first_not_of("0123456789-") == std::string_view::npos &&
      spec.find_first_of("0123456789") != std::string_view::npos)
    return bad(spec, "ports are PORT or LO-HI, from 1 to 65535");
  const std::size_t colon = spec.rfind(':');
  const bool bracketed_only = spec.front() == '[' && spec.back() == ']';
  if (colon != std::string_view::npos && !bracketed_only) {
    const std::string_view address = spec.substr(0, colon);
    const std::string_view ports = spec.substr(colon + 1);
    if (address.find(':') != std::string_view::npos && address.front() != '[')
      return bad(spec, "put an IPv6 address in brackets");
    if (!is_port_range(ports)) return bad(spec, "ports are PORT or LO-HI, from 1 to 65535");
    if (!is_address(address)) return bad(spec, "not an address or interface name");
    return std::string(spec);
  }
  if (!is_address(spec)) return bad(spec, "not an address, interface name or port range");
  return std::string(spec);
}

}  // namespace ftpchat
