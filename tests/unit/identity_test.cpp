// Identities and public ids: the known answers of make_kat_v2.py, signatures, and every way a
// pasted public id can be wrong.
#include "ftpchat/identity/identity.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include "ftpchat/identity/public_id.hpp"
#include "kat_v2.hpp"

namespace ftpchat {
namespace {

std::string hex(const PublicKey& k) { return to_hex(key_chars(k)); }

TEST(Identity, KeysMatchKnownAnswers) {
  const auto kat = test::load_kat_v2();
  for (const char* name : {"alice", "bob", "carol"}) {
    const auto& s = kat.identity(name);
    const Identity id = kat.make_identity(name);
    EXPECT_EQ(hex(id.public_key()), s.at("pk_hex")) << name;
    EXPECT_EQ(to_hex(id.x25519_secret().view()), s.at("x25519_sk_hex")) << name;
    auto x = x25519_public_of(id.public_key());
    ASSERT_TRUE(x);
    EXPECT_EQ(to_hex(std::string_view(reinterpret_cast<const char*>(x->data()), 32)),
              s.at("x25519_pk_hex"));
    EXPECT_EQ(format_public_id(id.public_key()), s.at("public_id")) << name;
    EXPECT_EQ(fingerprint(id.public_key()), s.at("fingerprint")) << name;
  }
}

TEST(Identity, SignaturesVerifyOnlyForTheSignerAndMessage) {
  const Identity a = Identity::generate(), b = Identity::generate();
  EXPECT_NE(a.public_key(), b.public_key());
  const Signature sig = a.sign("hello");
  EXPECT_TRUE(verify_signature(a.public_key(), "hello", sig));
  EXPECT_FALSE(verify_signature(b.public_key(), "hello", sig));
  EXPECT_FALSE(verify_signature(a.public_key(), "hellO", sig));
  EXPECT_EQ(a.sign("hello"), sig);  // Ed25519 is deterministic: a re-sent seal is identical
  EXPECT_FALSE(Identity::from_seed(SecretBytes::from("short")));
}

TEST(PublicId, RoundTripsAndParsesKnownAnswer) {
  const auto kat = test::load_kat_v2();
  const std::string text = kat.identity("carol").at("public_id");
  auto key = parse_public_id(text);
  ASSERT_TRUE(key) << key.error().detail;
  EXPECT_EQ(hex(*key), kat.identity("carol").at("pk_hex"));
  EXPECT_EQ(text.size(), kPublicIdChars);
  const Identity fresh = Identity::generate();
  EXPECT_EQ(parse_public_id(format_public_id(fresh.public_key())).value(), fresh.public_key());
}

void expect_refused(std::string_view text, std::string_view part) {
  auto key = parse_public_id(text);
  ASSERT_FALSE(key) << "accepted: " << text;
  EXPECT_EQ(key.error().code, Errc::invalid_argument);
  EXPECT_NE(key.error().detail.find(part), std::string::npos) << key.error().detail;
}

TEST(PublicId, EveryMistakeIsNamed) {
  const std::string good = format_public_id(Identity::generate().public_key());
  expect_refused("age1qyqszqgpqyqszqgpqyqszqgpqyqszqgp", "should start with ftpchat1");
  expect_refused("", "should start with ftpchat1");
  expect_refused(good.substr(0, 50), "instead of 56");
  expect_refused(good + "x", "instead of 56");
  expect_refused(good + " ", "instead of 56");  // the caller strips whitespace, not the parser
  std::string bad_char = good;
  bad_char[20] = '+';
  expect_refused(bad_char, "characters other than");
  for (std::size_t at : {8u, 30u, 52u, 55u}) {  // a typo anywhere: the check catches it
    std::string typo = good;
    typo[at] = typo[at] == 'A' ? 'B' : 'A';
    auto key = parse_public_id(typo);
    ASSERT_FALSE(key) << at;
  }
  std::string flipped = good;
  flipped[30] = flipped[30] == 'A' ? 'B' : 'A';
  expect_refused(flipped, "check does not match");
}

TEST(PublicId, ASmallOrderKeyWithAValidCheckIsNotAKey) {
  PublicKey identity_point{};
  identity_point[0] = 1;  // the neutral element: small order, refused by libsodium
  expect_refused(format_public_id(identity_point), "not hold a valid Ed25519 key");
}

}  // namespace
}  // namespace ftpchat
