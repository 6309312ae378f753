// The record cipher suites: XChaCha20-Poly1305 sealing, authentication failures, suite table.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "ftpchat/cipher/record_cipher.hpp"

using namespace std::string_literals;

namespace ftpchat {
namespace {

std::unique_ptr<RecordCipher> cipher_with_key(char fill) {
  return make_record_cipher(Suite::xchacha20poly1305, SecretBytes::from(std::string(32, fill)));
}

TEST(Cipher, SuiteNames) {
  EXPECT_STREQ(suite_name(Suite::xchacha20poly1305), "xchacha20poly1305");
  EXPECT_STREQ(suite_name(Suite::mono24_insecure), "mono24");
}

TEST(Cipher, Mono24NeedsA32ByteKey) {
  EXPECT_NE(make_record_cipher(Suite::mono24_insecure, SecretBytes::from(std::string(32, 'k'))),
            nullptr);
  EXPECT_EQ(make_record_cipher(Suite::mono24_insecure, SecretBytes::from(std::string(31, 'k'))),
            nullptr);
}

TEST(Cipher, WrongKeySizeGivesNoCipher) {
  EXPECT_EQ(make_record_cipher(Suite::xchacha20poly1305, SecretBytes::from(std::string(31, 'k'))),
            nullptr);
  EXPECT_EQ(make_record_cipher(Suite::xchacha20poly1305, SecretBytes()), nullptr);
}

TEST(Cipher, SealOpenRoundTrip) {
  auto c = cipher_with_key('a');
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->suite(), Suite::xchacha20poly1305);
  const std::string plain = "hello\0world"s;
  const std::string sealed = c->seal(plain, "ad");
  EXPECT_EQ(sealed.size(), 24 + plain.size() + 16);
  EXPECT_EQ(sealed.find("hello"), std::string::npos);
  auto opened = c->open(sealed, "ad");
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, plain);
}

TEST(Cipher, EmptyPlaintextRoundTrips) {
  auto c = cipher_with_key('a');
  const std::string sealed = c->seal("", "");
  EXPECT_EQ(sealed.size(), 40u);
  auto opened = c->open(sealed, "");
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, "");
}

TEST(Cipher, NoncesAreFreshEachSeal) {
  auto c = cipher_with_key('a');
  std::set<std::string> nonces;
  for (int i = 0; i < 50; ++i) nonces.insert(c->seal("same", "ad").substr(0, 24));
  EXPECT_EQ(nonces.size(), 50u);
}

TEST(Cipher, SealWithNonceIsDeterministicAndPrefixesNonce) {
  auto c = cipher_with_key('a');
  Nonce n{};
  for (std::size_t i = 0; i < n.size(); ++i) n[i] = static_cast<std::uint8_t>(i);
  const std::string a = c->seal_with_nonce("msg", "ad", n);
  EXPECT_EQ(a, c->seal_with_nonce("msg", "ad", n));
  EXPECT_EQ(a.substr(0, 24), std::string(n.begin(), n.end()));
  EXPECT_EQ(*c->open(a, "ad"), "msg");
}

TEST(Cipher, OpenFailsOnOtherAdOrKey) {
  auto c = cipher_with_key('a');
  const std::string sealed = c->seal("msg", "room-1");
  EXPECT_FALSE(c->open(sealed, "room-2"));
  EXPECT_FALSE(c->open(sealed, ""));
  EXPECT_FALSE(cipher_with_key('b')->open(sealed, "room-1"));
}

TEST(Cipher, OpenFailsOnAnyFlippedBitOrTruncation) {
  auto c = cipher_with_key('a');
  const std::string sealed = c->seal("a message", "ad");
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = sealed;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      EXPECT_FALSE(c->open(bad, "ad")) << "byte " << i << " bit " << bit;
    }
  }
  for (std::size_t len = 0; len < sealed.size(); ++len)
    EXPECT_FALSE(c->open(sealed.substr(0, len), "ad")) << "length " << len;
  EXPECT_FALSE(c->open(sealed + "x", "ad"));
}

}  // namespace
}  // namespace ftpchat
