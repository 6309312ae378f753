// Epoch keys and grants: the known answers of make_kat_v2.py (ids, subkeys, wrap keys, the
// grant bytes), opening by each recipient and by nobody else, links, and malformed grants.
#include "ftpchat/identity/grant.hpp"

#include <gtest/gtest.h>

#include "ftpchat/identity/keyring.hpp"
#include "kat_v2.hpp"

namespace ftpchat {
namespace {

std::vector<PublicKey> slot_order(const test::KatV2& kat, const test::KatSection& epoch) {
  std::vector<PublicKey> out;
  for (const std::string& name : epoch.all("slot_recipient"))
    out.push_back(kat.make_identity(name).public_key());
  return out;
}

TEST(Grant, EpochIdsAndSubkeysMatchKnownAnswers) {
  const auto kat = test::load_kat_v2();
  for (int i = 0; i < 3; ++i) {
    const auto& e = kat.epoch(i);
    const EpochKey key = kat.epoch_key(i);
    EXPECT_EQ(to_hex(key.id), e.at("id_hex"));
    EXPECT_EQ(to_hex(epoch_subkey(key.key, EpochSubkey::records).view()), e.at("records_key_hex"));
    EXPECT_EQ(to_hex(epoch_subkey(key.key, EpochSubkey::links).view()), e.at("links_key_hex"));
    EXPECT_EQ(to_hex(epoch_subkey(key.key, EpochSubkey::genesis).view()), e.at("genesis_key_hex"));
  }
}

TEST(Grant, GrantBytesMatchKnownAnswers) {
  const auto kat = test::load_kat_v2();
  const Id128 room = kat.room_id();
  for (int i = 0; i < 3; ++i) {
    const auto& e = kat.epoch(i);
    std::vector<EpochKey> parents;
    if (i > 0) parents.push_back(kat.epoch_key(i - 1));
    Nonce nonce{};
    const std::string n = e.bytes("links_nonce_hex");
    std::copy(n.begin(), n.end(), nonce.begin());
    auto grant = make_grant_with(room, kat.epoch_key(i), slot_order(kat, e), parents,
                                 SecretBytes::from(e.bytes("ephemeral_sk_hex")), nonce);
    ASSERT_TRUE(grant) << grant.error().detail;
    EXPECT_EQ(to_hex(*grant), e.at("grant_hex")) << "epoch " << i;
  }
  EXPECT_EQ(format_grant_file(kat.epoch(1).bytes("grant_hex")), kat.epoch(1).at("grant_file_line") + "\n");
}

TEST(Grant, EachRecipientOpensItAndNobodyElse) {
  const auto kat = test::load_kat_v2();
  const Id128 room = kat.room_id();
  auto grant = parse_grant(kat.epoch(2).bytes("grant_hex"));  // epoch 2: alice and carol
  ASSERT_TRUE(grant) << grant.error().detail;
  EXPECT_EQ(grant->slot_count(), 2u);
  for (const char* name : {"alice", "carol"}) {
    auto key = open_grant(*grant, room, kat.make_identity(name).x25519_secret());
    ASSERT_TRUE(key) << name;
    EXPECT_EQ(to_hex(key->key.view()), kat.epoch(2).at("key_hex"));
    auto links = open_links(*grant, room, *key);
    ASSERT_TRUE(links) << links.error().detail;
    ASSERT_EQ(links->size(), 1u);
    EXPECT_EQ(to_hex(links->front().id), kat.epoch(1).at("id_hex"));
  }
  EXPECT_FALSE(open_grant(*grant, room, kat.make_identity("bob").x25519_secret()));  // removed
  EXPECT_FALSE(open_grant(*grant, id_from_hex(std::string(32, 'a')).value(),
                          kat.make_identity("alice").x25519_secret()));  // another room
}

TEST(Grant, TheKeyringFollowsLinksBackToEpochZero) {
  const auto kat = test::load_kat_v2();
  const Id128 room = kat.room_id();
  std::vector<Grant> grants;
  for (int i = 0; i < 3; ++i) grants.push_back(parse_grant(kat.epoch(i).bytes("grant_hex")).value());
  std::vector<const Grant*> all{&grants[2], &grants[1], &grants[0]};
  Keyring carol;  // invited at epoch 1: not in epoch 0's grant, reaches it through links
  EXPECT_EQ(carol.learn(all, room, kat.make_identity("carol").x25519_secret()), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(carol.has(kat.epoch_key(i).id)) << i;
  EXPECT_NE(carol.epoch(kat.epoch_key(0).id), nullptr);
  Keyring bob;  // removed at epoch 2: keeps 0 and 1, never gets 2
  EXPECT_EQ(bob.learn(all, room, kat.make_identity("bob").x25519_secret()), 2u);
  EXPECT_FALSE(bob.has(kat.epoch_key(2).id));
  EXPECT_TRUE(bob.tried(kat.epoch_key(2).id));
  EXPECT_EQ(bob.learn(all, room, kat.make_identity("bob").x25519_secret()), 0u);
}

TEST(Grant, RandomGrantsOpenForEveryRecipient) {
  const Id128 room = random_id();
  std::vector<Identity> people;
  std::vector<PublicKey> keys;
  for (int i = 0; i < 20; ++i) {
    people.push_back(Identity::generate());
    keys.push_back(people.back().public_key());
  }
  const EpochKey epoch = random_epoch_key();
  auto raw = make_grant(room, epoch, keys, {});
  ASSERT_TRUE(raw);
  auto grant = parse_grant(*raw);
  ASSERT_TRUE(grant);
  for (const Identity& p : people) EXPECT_TRUE(open_grant(*grant, room, p.x25519_secret()));
  EXPECT_FALSE(open_grant(*grant, room, Identity::generate().x25519_secret()));
  EXPECT_FALSE(make_grant(room, epoch, {}, {}));
  PublicKey small{};
  small[0] = 1;
  EXPECT_FALSE(make_grant(room, epoch, {small}, {}));
}

TEST(Grant, MalformedGrantsAreBadData) {
  const auto kat = test::load_kat_v2();
  const std::string raw = kat.epoch(1).bytes("grant_hex");
  for (std::size_t len = 0; len < raw.size(); len += 7) {
    auto g = parse_grant(raw.substr(0, len));
    EXPECT_FALSE(g) << len;
    if (!g) {
      EXPECT_EQ(g.error().code, Errc::bad_data);
    }
  }
  std::string version = raw;
  version[0] = 3;
  EXPECT_FALSE(parse_grant(version));
  std::string zero_slots = raw;
  zero_slots[1 + 16 + 32] = 0;
  zero_slots[1 + 16 + 32 + 1] = 0;
  EXPECT_FALSE(parse_grant(zero_slots));
  EXPECT_FALSE(parse_grant(raw + "x"));
  const std::string file = kat.epoch(1).at("grant_file_line") + "\n";
  EXPECT_TRUE(parse_grant_file(file, kat.epoch_key(1).id));
  auto misnamed = parse_grant_file(file, kat.epoch_key(2).id);
  ASSERT_FALSE(misnamed);
  EXPECT_NE(misnamed.error().detail.find("another epoch"), std::string::npos);
  EXPECT_FALSE(parse_grant_file(file.substr(0, file.size() - 1), kat.epoch_key(1).id));
  // Links that do not open under the epoch's key.
  auto g = parse_grant(raw).value();
  g.links_sealed.back() ^= 1;
  EXPECT_FALSE(open_links(g, kat.room_id(), kat.epoch_key(1)));
}

}  // namespace
}  // namespace ftpchat
