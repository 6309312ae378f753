// AWS credentials, region and endpoint for s3:// mounts (rules in the header).
#include "aws_settings.hpp"

#include <sodium.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ftpchat {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  return text;
}

// The section a "[...]" line opens, as the profile it names ("" for other sections).
std::string section_profile(std::string_view inside, bool config_file) {
  inside = trim(inside);
  if (!config_file) return std::string(inside);
  if (inside == "default") return "default";
  if (inside.substr(0, 8) == "profile " || inside.substr(0, 8) == "profile\t")
    return std::string(trim(inside.substr(8)));
  return "";  // [sso-session x], [services x]: not a profile
}

std::optional<std::string> read_small_file(const std::filesystem::path& path) {
  if (path.empty()) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void wipe(std::string& text) {
  sodium_memzero(text.data(), text.size());
  text.clear();
}

}  // namespace

AwsSources aws_sources_from_environment() {
  AwsSources s;
  s.access_key_id = env("AWS_ACCESS_KEY_ID");
  s.secret_access_key = env("AWS_SECRET_ACCESS_KEY");
  s.session_token = env("AWS_SESSION_TOKEN");
  if (std::string profile = env("AWS_PROFILE"); !profile.empty()) s.profile = profile;
  s.region = env("AWS_REGION");
  if (s.region.empty()) s.region = env("AWS_DEFAULT_REGION");
  s.endpoint = env("AWS_ENDPOINT_URL_S3");
  if (s.endpoint.empty()) s.endpoint = env("AWS_ENDPOINT_URL");
  const std::string home = env("HOME");
  s.credentials_file = env("AWS_SHARED_CREDENTIALS_FILE");
  if (s.credentials_file.empty() && !home.empty())
    s.credentials_file = std::filesystem::path(home) / ".aws" / "credentials";
  s.config_file = env("AWS_CONFIG_FILE");
  if (s.config_file.empty() && !home.empty())
    s.config_file = std::filesystem::path(home) / ".aws" / "config";
  return s;
}

std::optional<AwsProfile> parse_aws_profile(std::string_view text, std::string_view profile,
                                            bool config_file) {
  std::optional<AwsProfile> found;
  bool inside = false;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = trim(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      const std::size_t close = line.find(']');
      inside = close != std::string_view::npos &&
               section_profile(line.substr(1, close - 1), config_file) == profile;
      if (inside && !found) found = AwsProfile{};
      continue;
    }
    if (!inside) continue;
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;  // nested "s3 =" blocks and the like
    const std::string_view key = trim(line.substr(0, eq));
    const std::string value(trim(line.substr(eq + 1)));
    if (key == "aws_access_key_id")
      found->access_key_id = value;
    else if (key == "aws_secret_access_key")
      found->secret_access_key = value;
    else if (key == "aws_session_token")
      found->session_token = value;
    else if (key == "region")
      found->region = value;
  }
  return found;
}

Result<AwsSettings> resolve_aws_settings(const AwsSources& sources,
                                         std::string_view option_endpoint,
                                         std::string_view option_region) {
  AwsSettings out;
  std::string secret;
  if (!sources.access_key_id.empty() || !sources.secret_access_key.empty()) {
    if (sources.access_key_id.empty() || sources.secret_access_key.empty())
      return make_error(Errc::invalid_argument,
                        "only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set; set "
                        "both, or neither to use ~/.aws/credentials");
    out.access_key_id = sources.access_key_id;
    secret = sources.secret_access_key;
    out.session_token = sources.session_token;
    out.credentials_from = "environment";
  } else {
    std::optional<std::string> text = read_small_file(sources.credentials_file);
    std::optional<AwsProfile> profile;
    if (text) profile = parse_aws_profile(*text, sources.profile, false);
    if (text) wipe(*text);
    if (!profile || profile->access_key_id.empty() || profile->secret_access_key.empty()) {
      const std::string where = sources.credentials_file.empty()
                                    ? std::string("~/.aws/credentials")
                                    : sources.credentials_file.string();
      if (profile) wipe(profile->secret_access_key);
      return make_error(Errc::invalid_argument,
                        "no AWS credentials for s3://: set AWS_ACCESS_KEY_ID and "
                        "AWS_SECRET_ACCESS_KEY, or put aws_access_key_id and "
                        "aws_secret_access_key under [" +
                            sources.profile + "] in " + where);
    }
    out.access_key_id = profile->access_key_id;
    secret = std::move(profile->secret_access_key);
    out.session_token = profile->session_token;
    out.credentials_from = sources.credentials_file.string() + " [" + sources.profile + "]";
  }
  out.secret_access_key = SecretBytes::from(secret);
  wipe(secret);

  out.region = std::string(option_region);
  if (out.region.empty()) out.region = sources.region;
  if (out.region.empty()) {
    if (std::optional<std::string> config = read_small_file(sources.config_file)) {
      if (auto profile = parse_aws_profile(*config, sources.profile, true))
        out.region = profile->region;
    }
  }
  if (out.region.empty()) out.region = "us-east-1";

  out.endpoint = std::string(option_endpoint);
  if (out.endpoint.empty()) out.endpoint = sources.endpoint;
  if (out.endpoint.empty()) out.endpoint = "https://s3." + out.region + ".amazonaws.com";
  return out;
}

}  // namespace ftpchat
