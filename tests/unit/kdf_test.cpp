// Passphrase and subkey derivation: known answers from make_kat.py and the limit checks that
// protect a mount from hostile headers.
#include "ftpchat/cipher/kdf.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include "kat_v1.hpp"

namespace ftpchat {
namespace {

KdfParams fast_params(std::uint8_t salt_byte = 7) {
  KdfParams p;
  p.opslimit = crypto_pwhash_argon2id_OPSLIMIT_MIN;
  p.memlimit = crypto_pwhash_argon2id_MEMLIMIT_MIN;
  p.salt.fill(salt_byte);
  return p;
}

std::string hex_of(const SecretBytes& s) { return to_hex(s.view()); }

TEST(Kdf, MasterKeyMatchesKnownAnswer) {
  const auto kat = test::load_kat();
  auto master = derive_master_key(SecretBytes::from(kat.bytes("passphrase_hex")), kat.kdf());
  ASSERT_TRUE(master) << master.error().detail;
  EXPECT_EQ(hex_of(*master), kat.at("master_key_hex"));
}

// make_kat.py derives subkeys with plain keyed BLAKE2b (salt = id LE || 0^8, personal =
// "ftpchatr" || 0^8); matching it proves crypto_kdf_derive_from_key is exactly that.
TEST(Kdf, SubkeysMatchKnownAnswers) {
  const auto kat = test::load_kat();
  const auto master = SecretBytes::from(kat.bytes("master_key_hex"));
  EXPECT_EQ(hex_of(derive_subkey(master, Subkey::records)), kat.at("subkey_records_hex"));
  EXPECT_EQ(hex_of(derive_subkey(master, Subkey::header_check)), kat.at("subkey_header_check_hex"));
  EXPECT_EQ(hex_of(derive_subkey(master, Subkey::room_name)), kat.at("subkey_room_name_hex"));
}

TEST(Kdf, SubkeysAreDistinctAndDeterministic) {
  const auto master = SecretBytes::from(std::string(32, 'k'));
  const auto a = hex_of(derive_subkey(master, Subkey::records));
  EXPECT_EQ(a, hex_of(derive_subkey(master, Subkey::records)));
  EXPECT_NE(a, hex_of(derive_subkey(master, Subkey::header_check)));
  EXPECT_NE(a, hex_of(derive_subkey(master, Subkey::room_name)));
  EXPECT_EQ(derive_subkey(master, Subkey::records).size(), 32u);
}

TEST(Kdf, PassphraseAndSaltBothMatter) {
  const auto pass = SecretBytes::from("secret");
  const auto base = derive_master_key(pass, fast_params(1));
  ASSERT_TRUE(base);
  EXPECT_EQ(base->size(), 32u);
  EXPECT_EQ(hex_of(*base), hex_of(*derive_master_key(pass, fast_params(1))));
  EXPECT_NE(hex_of(*base), hex_of(*derive_master_key(pass, fast_params(2))));
  EXPECT_NE(hex_of(*base), hex_of(*derive_master_key(SecretBytes::from("Secret"), fast_params(1))));
  auto ops2 = fast_params(1);
  ops2.opslimit += 1;
  EXPECT_NE(hex_of(*base), hex_of(*derive_master_key(pass, ops2)));
}

TEST(Kdf, EmptyPassphraseIsStillDerived) {
  auto a = derive_master_key(SecretBytes(), fast_params());
  ASSERT_TRUE(a) << a.error().detail;
  EXPECT_NE(hex_of(*a), hex_of(*derive_master_key(SecretBytes::from("x"), fast_params())));
}

TEST(Kdf, DefaultsAreInteractiveWithRandomSalt) {
  const auto a = default_kdf_params();
  const auto b = default_kdf_params();
  EXPECT_EQ(a.opslimit, crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE);
  EXPECT_EQ(a.memlimit, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE);
  EXPECT_NE(a.salt, b.salt);
  EXPECT_TRUE(validate_kdf_params(a));
}

TEST(Kdf, LimitsOutsideRangeAreBadData) {
  struct Case {
    std::uint64_t ops, mem;
    bool ok;
  };
  const Case cases[] = {
      {1, 8192, true},
      {0, 8192, false},                   // below libsodium's argon2id minimum
      {16, 8192, true},                   // ceiling itself is allowed
      {17, 8192, false},                  // over our ceiling
      {1, 8191, false},                   // below libsodium's minimum
      {1, std::uint64_t{1} << 30, true},  // 1 GiB allowed (not derived here)
      {1, (std::uint64_t{1} << 30) + 1, false},
      {UINT64_MAX, UINT64_MAX, false},
  };
  for (const auto& c : cases) {
    KdfParams p = fast_params();
    p.opslimit = c.ops;
    p.memlimit = c.mem;
    auto valid = validate_kdf_params(p);
    EXPECT_EQ(valid.ok(), c.ok) << "ops=" << c.ops << " mem=" << c.mem;
    if (!valid) {
      EXPECT_EQ(valid.error().code, Errc::bad_data);
    }
    if (!c.ok) {
      // And derivation refuses before allocating anything.
      auto master = derive_master_key(SecretBytes::from("p"), p);
      ASSERT_FALSE(master);
      EXPECT_EQ(master.error().code, Errc::bad_data);
    }
  }
}

}  // namespace
}  // namespace ftpchat
