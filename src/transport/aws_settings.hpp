// Where an s3:// mount finds its credentials, region and endpoint, by AWS conventions:
// 1. Credentials: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), else the
//    profile AWS_PROFILE (default "default") of AWS_SHARED_CREDENTIALS_FILE or
//    ~/.aws/credentials. Never from the command line or the URL; never logged.
// 2. Region: -o region=, else AWS_REGION, AWS_DEFAULT_REGION, the profile's region in
//    AWS_CONFIG_FILE or ~/.aws/config, else us-east-1.
// 3. Endpoint: -o endpoint=, else AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS itself
//    (https://s3.REGION.amazonaws.com).
// The environment is read once into AwsSources, so the rules are testable without it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "ftpchat/core/error.hpp"
#include "ftpchat/core/secret.hpp"

namespace ftpchat {

struct AwsSources {
  std::string access_key_id;  // from the environment; "" if unset
  std::string secret_access_key;
  std::string session_token;
  std::string profile = "default";
  std::string region;                      // AWS_REGION, else AWS_DEFAULT_REGION
  std::string endpoint;                    // AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL
  std::filesystem::path credentials_file;  // "" : none (no HOME)
  std::filesystem::path config_file;
};

// What this process's environment says (wipes nothing: the environment is the user's).
AwsSources aws_sources_from_environment();

// One profile's keys from an AWS credentials or config file (INI: "[name]" sections, or
// "[profile name]" in config files; "key = value" lines; '#' and ';' comments). Values are
// as written, without surrounding blanks. nullopt if the profile has no section.
struct AwsProfile {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  std::string region;
};
std::optional<AwsProfile> parse_aws_profile(std::string_view text, std::string_view profile,
                                            bool config_file);

struct AwsSettings {
  std::string access_key_id;
  SecretBytes secret_access_key;
  std::string session_token;  // "" : none
  std::string region;
  std::string endpoint;
  std::string credentials_from;  // "environment" or "<file> [profile]": for a debug line
};

// The settings for a mount given the -o options. invalid_argument (a sentence saying what
// to set) when no credentials are found or a source has only half of a key pair.
Result<AwsSettings> resolve_aws_settings(const AwsSources& sources,
                                         std::string_view option_endpoint,
                                         std::string_view option_region);

}  // namespace ftpchat
