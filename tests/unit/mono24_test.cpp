// Suite 2 (mono24): round trip, the damage check, and the property that makes it insecure:
// the 24 layers compose to one fixed byte substitution.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "../../src/cipher/mono24_cipher.hpp"
#include "ftpchat/cipher/record_cipher.hpp"

using namespace std::string_literals;

namespace ftpchat {
namespace {

SecretBytes key_of(char fill) { return SecretBytes::from(std::string(32, fill)); }

TEST(Mono24, RoundTripAndSuite) {
  auto c = make_record_cipher(Suite::mono24_insecure, key_of('k'));
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->suite(), Suite::mono24_insecure);
  const std::string plain = "hello\0world \xff"s;
  const std::string sealed = c->seal(plain, "ad");
  EXPECT_EQ(sealed.size(), 24 + plain.size() + 16);
  EXPECT_EQ(c->open(sealed, "ad"), plain);
}

TEST(Mono24, CheckRejectsDamageAndOtherAssociatedData) {
  auto c = make_record_cipher(Suite::mono24_insecure, key_of('k'));
  std::string sealed = c->seal("some text", "ad");
  EXPECT_FALSE(c->open(sealed, "other ad"));
  sealed[30] ^= 1;
  EXPECT_FALSE(c->open(sealed, "ad"));
  EXPECT_FALSE(c->open(sealed.substr(0, 39), "ad"));
}

TEST(Mono24, TableIsAPermutationAndDependsOnTheKey) {
  const ByteTable a = mono24_table(key_of('a'));
  const ByteTable b = mono24_table(key_of('b'));
  EXPECT_EQ(std::set<std::uint8_t>(a.begin(), a.end()).size(), 256u);
  EXPECT_NE(a, b);
}

TEST(Mono24, LayersComposeToOneSubstitution) {
  // The same plaintext byte always gives the same ciphertext byte, in every record and at every
  // position: the weakness the frequency-analysis integration test exploits.
  auto c = make_record_cipher(Suite::mono24_insecure, key_of('k'));
  const ByteTable table = mono24_table(key_of('k'));
  const std::string s1 = c->seal("eeee", ""), s2 = c->seal("e", "");
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(static_cast<std::uint8_t>(s1[24 + i]), table[static_cast<std::uint8_t>('e')]);
  EXPECT_EQ(s1[24], s2[24]);
}

}  // namespace
}  // namespace ftpchat
