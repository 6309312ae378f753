// Identity files: the known-answer plain and sealed files byte for byte, the passphrase, and the
// refusals a user must understand (permissions, damage, wrong passphrase, existing file).
#include "ftpchat/identity/identity_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ftpchat/identity/public_id.hpp"
#include "kat_v2.hpp"

namespace ftpchat {
namespace {

namespace fs = std::filesystem;

TEST(IdentityFile, PlainFileMatchesKnownAnswerAndOpens) {
  const auto kat = test::load_kat_v2();
  const Identity alice = kat.make_identity("alice");
  const std::string text = kat.identity("alice").text("file_line");
  EXPECT_EQ(format_identity_file(alice), text);
  auto parsed = parse_identity_file(text);
  ASSERT_TRUE(parsed) << parsed.error().detail;
  EXPECT_FALSE(parsed->sealed);
  auto opened = open_identity_file(*parsed, nullptr);
  ASSERT_TRUE(opened) << opened.error().detail;
  EXPECT_EQ(opened->public_key(), alice.public_key());
}

TEST(IdentityFile, SealedFileMatchesKnownAnswerAndNeedsItsPassphrase) {
  const auto kat = test::load_kat_v2();
  const auto& s = kat.identity("bob");
  const Identity bob = kat.make_identity("bob");
  const std::string text = s.text("file_line");
  auto parsed = parse_identity_file(text);
  ASSERT_TRUE(parsed) << parsed.error().detail;
  ASSERT_TRUE(parsed->sealed);
  Nonce nonce{};
  std::copy_n(parsed->box.begin(), nonce.size(), nonce.begin());
  const auto pass = SecretBytes::from(s.bytes("passphrase_hex"));
  auto again = format_sealed_identity_file(bob, pass, parsed->kdf, nonce);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, text);
  auto opened = open_identity_file(*parsed, &pass);
  ASSERT_TRUE(opened) << opened.error().detail;
  EXPECT_EQ(opened->public_key(), bob.public_key());
  const auto wrong = SecretBytes::from("not bob's passphrase");
  auto refused = open_identity_file(*parsed, &wrong);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::wrong_passphrase);
  auto none = open_identity_file(*parsed, nullptr);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::invalid_argument);
}

TEST(IdentityFile, DamageIsNamed) {
  const auto kat = test::load_kat_v2();
  const std::string alice = kat.identity("alice").text("file_line");
  const std::string carol_id = kat.identity("carol").at("public_id");
  const std::string alice_id = kat.identity("alice").at("public_id");
  auto expect_bad = [](const std::string& text, std::string_view part) {
    auto parsed = parse_identity_file(text);
    if (parsed) {
      auto opened = open_identity_file(*parsed, nullptr);
      ASSERT_FALSE(opened) << text;
      EXPECT_NE(opened.error().detail.find(part), std::string::npos) << opened.error().detail;
      return;
    }
    EXPECT_EQ(parsed.error().code, Errc::bad_data);
    EXPECT_NE(parsed.error().detail.find(part), std::string::npos) << parsed.error().detail;
  };
  std::string swapped = alice;
  swapped.replace(swapped.find(alice_id), alice_id.size(), carol_id);
  expect_bad(swapped, "does not match its public id");
  expect_bad("ftpchatfs-room v1\n", "not an ftpchat identity file");
  expect_bad(alice.substr(0, alice.size() - 1), "truncated");
  expect_bad(alice + "more\n", "unexpected content");
  expect_bad(alice.substr(0, alice.find("secret")) + "secret plain AAAA\n", "not 32 bytes");
  expect_bad(alice.substr(0, alice.find("secret")) + "secret rot13 xyz\n", "neither plain");
  expect_bad(std::string(5000, 'a'), "larger than 4096");
}

class IdentityFileOnDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ftpchat-idfile-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(IdentityFileOnDisk, WrittenOnceWithMode0600InAPrivateFolder) {
  const Identity id = Identity::generate();
  const fs::path path = dir_ / "sub" / "identity";
  ASSERT_TRUE(write_identity_file(path, format_identity_file(id)));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(path.parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  auto again = write_identity_file(path, format_identity_file(Identity::generate()));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::exists);
  auto text = read_identity_file(path);
  ASSERT_TRUE(text) << text.error().detail;
  EXPECT_EQ(open_identity_file(parse_identity_file(*text).value(), nullptr)->public_key(),
            id.public_key());  // the first identity was kept
}

TEST_F(IdentityFileOnDisk, AFileOthersCanReadIsRefusedWithTheFix) {
  const fs::path path = dir_ / "identity";
  ASSERT_TRUE(write_identity_file(path, format_identity_file(Identity::generate())));
  ::chmod(path.c_str(), 0644);
  auto text = read_identity_file(path);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, Errc::permission);
  EXPECT_NE(text.error().detail.find("has mode 0644"), std::string::npos) << text.error().detail;
  EXPECT_NE(text.error().detail.find("chmod 600 " + path.string()), std::string::npos);
  ::chmod(path.c_str(), 0600);
  EXPECT_TRUE(read_identity_file(path));
  auto missing = read_identity_file(dir_ / "nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
}

}  // namespace
}  // namespace ftpchat
