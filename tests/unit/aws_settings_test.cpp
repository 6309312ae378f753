// Where s3:// mounts find credentials, region and endpoint (AWS conventions), and the
// credentials/config file parser.
#include "../../src/transport/aws_settings.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace ftpchat {
namespace {

namespace fs = std::filesystem;

const char* kCredentials =
    "# mine\n"
    "[default]\n"
    "aws_access_key_id = AKIDDEFAULT\n"
    "aws_secret_access_key=secret/with+chars=\r\n"
    "\n"
    "[work]  \n"
    "  aws_access_key_id   =   AKIDWORK  \n"
    "aws_secret_access_key = worksecret\n"
    "aws_session_token = tok\n"
    "; a comment\n"
    "[profile work]\n"
    "aws_access_key_id = NOT_IN_A_CREDENTIALS_FILE\n";

TEST(AwsProfile, CredentialsFileSections) {
  auto def = parse_aws_profile(kCredentials, "default", false);
  ASSERT_TRUE(def);
  EXPECT_EQ(def->access_key_id, "AKIDDEFAULT");
  EXPECT_EQ(def->secret_access_key, "secret/with+chars=");
  EXPECT_EQ(def->session_token, "");
  auto work = parse_aws_profile(kCredentials, "work", false);
  ASSERT_TRUE(work);
  EXPECT_EQ(work->access_key_id, "AKIDWORK");
  EXPECT_EQ(work->secret_access_key, "worksecret");
  EXPECT_EQ(work->session_token, "tok");
  EXPECT_FALSE(parse_aws_profile(kCredentials, "missing", false));
  EXPECT_FALSE(parse_aws_profile("", "default", false));
}

TEST(AwsProfile, ConfigFileNamesProfilesWithPrefix) {
  const char* config =
      "[default]\nregion = eu-west-1\n"
      "[profile work]\nregion=us-west-2\ns3 =\n  addressing_style = path\n"
      "[sso-session x]\nregion = nowhere\n";
  EXPECT_EQ(parse_aws_profile(config, "default", true)->region, "eu-west-1");
  EXPECT_EQ(parse_aws_profile(config, "work", true)->region, "us-west-2");
  EXPECT_FALSE(parse_aws_profile(config, "x", true));
  EXPECT_FALSE(parse_aws_profile(config, "sso-session x", true));
}

class AwsSettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/ftpchat-aws-XXXXXX";
    dir_ = mkdtemp(pattern);
    sources_.credentials_file = dir_ / "credentials";
    sources_.config_file = dir_ / "config";
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

  fs::path dir_;
  AwsSources sources_;
};

TEST_F(AwsSettingsTest, EnvironmentFirstThenTheProfile) {
  write(sources_.credentials_file, kCredentials);
  sources_.access_key_id = "AKIDENV";
  sources_.secret_access_key = "envsecret";
  auto env = resolve_aws_settings(sources_, "", "");
  ASSERT_TRUE(env.ok()) << env.error().detail;
  EXPECT_EQ(env->access_key_id, "AKIDENV");
  EXPECT_EQ(env->secret_access_key.view(), "envsecret");
  EXPECT_EQ(env->credentials_from, "environment");

  sources_.access_key_id.clear();
  sources_.secret_access_key.clear();
  sources_.profile = "work";
  auto file = resolve_aws_settings(sources_, "", "");
  ASSERT_TRUE(file.ok()) << file.error().detail;
  EXPECT_EQ(file->access_key_id, "AKIDWORK");
  EXPECT_EQ(file->secret_access_key.view(), "worksecret");
  EXPECT_EQ(file->session_token, "tok");
  EXPECT_EQ(file->credentials_from, sources_.credentials_file.string() + " [work]");
}

TEST_F(AwsSettingsTest, MissingOrHalfCredentialsSayWhatToSet) {
  auto none = resolve_aws_settings(sources_, "", "");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, Errc::invalid_argument);
  EXPECT_EQ(none.error().detail,
            "no AWS credentials for s3://: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
            "put aws_access_key_id and aws_secret_access_key under [default] in " +
                sources_.credentials_file.string());
  sources_.access_key_id = "AKIDENV";
  EXPECT_NE(resolve_aws_settings(sources_, "", "").error().detail.find("only one of"),
            std::string::npos);
  write(sources_.credentials_file, "[default]\naws_access_key_id = AKIDONLY\n");
  sources_.access_key_id.clear();
  EXPECT_NE(resolve_aws_settings(sources_, "", "").error().detail.find("no AWS credentials"),
            std::string::npos);
}

TEST_F(AwsSettingsTest, RegionAndEndpointPrecedence) {
  sources_.access_key_id = "A";
  sources_.secret_access_key = "S";
  auto plain = resolve_aws_settings(sources_, "", "");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->region, "us-east-1");
  EXPECT_EQ(plain->endpoint, "https://s3.us-east-1.amazonaws.com");

  write(sources_.config_file, "[default]\nregion = eu-central-1\n");
  EXPECT_EQ(resolve_aws_settings(sources_, "", "")->region, "eu-central-1");
  EXPECT_EQ(resolve_aws_settings(sources_, "", "")->endpoint,
            "https://s3.eu-central-1.amazonaws.com");
  sources_.region = "ap-south-1";
  sources_.endpoint = "http://env.example:9000";
  EXPECT_EQ(resolve_aws_settings(sources_, "", "")->region, "ap-south-1");
  EXPECT_EQ(resolve_aws_settings(sources_, "", "")->endpoint, "http://env.example:9000");
  auto options = resolve_aws_settings(sources_, "http://127.0.0.1:7480", "default");
  EXPECT_EQ(options->region, "default");
  EXPECT_EQ(options->endpoint, "http://127.0.0.1:7480");
}

}  // namespace
}  // namespace ftpchat
