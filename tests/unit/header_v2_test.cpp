// Member room headers: the known-answer header byte for byte (epoch 0 grant, signed genesis),
// opening it with a member's identity, creation, and refusals.
#include <gtest/gtest.h>

#include "ftpchat/identity/genesis.hpp"
#include "ftpchat/record/header.hpp"
#include "kat_v2.hpp"

namespace ftpchat {
namespace {

Nonce nonce_of(const std::string& bytes) {
  Nonce n{};
  std::copy(bytes.begin(), bytes.end(), n.begin());
  return n;
}

Genesis kat_genesis(const test::KatV2& kat) {
  Genesis g;
  g.stamp = std::stoull(kat.header().at("genesis_stamp"));
  g.room_name = kat.room().bytes("room_name_hex");
  g.members = {{kat.make_identity("alice").public_key(), Role::owner, "alice"},
               {kat.make_identity("bob").public_key(), Role::member, "bob"}};
  return g;
}

TEST(HeaderV2, ReproducesKnownAnswer) {
  const auto kat = test::load_kat_v2();
  const Id128 room = kat.room_id();
  const EpochKey e0 = kat.epoch_key(0);
  auto sealed = seal_genesis(kat_genesis(kat), kat.make_identity("alice"), room, e0,
                             nonce_of(kat.header().bytes("genesis_nonce_hex")));
  ASSERT_TRUE(sealed) << sealed.error().detail;
  const std::string header =
      format_header_v2(room, kat.epoch(0).bytes("grant_hex"), *sealed);
  EXPECT_EQ(header, kat.header().text("header_line"));
}

TEST(HeaderV2, ParsesAndOpensForAMember) {
  const auto kat = test::load_kat_v2();
  auto header = parse_header(kat.header().text("header_line"));
  ASSERT_TRUE(header) << header.error().detail;
  EXPECT_EQ(header->version, 2);
  EXPECT_EQ(header->room_id, kat.room_id());
  auto grant = parse_grant(header->grant);
  ASSERT_TRUE(grant);
  auto key = open_grant(*grant, header->room_id, kat.make_identity("bob").x25519_secret());
  ASSERT_TRUE(key);
  auto genesis = open_genesis(header->sealed_genesis, header->room_id, *key);
  ASSERT_TRUE(genesis) << genesis.error().detail;
  EXPECT_EQ(genesis->room_name, kat.room().bytes("room_name_hex"));
  EXPECT_EQ(genesis->owner, kat.make_identity("alice").public_key());
  ASSERT_EQ(genesis->members.size(), 2u);
  EXPECT_FALSE(open_grant(*grant, header->room_id, kat.make_identity("carol").x25519_secret()));
  // A passphrase cannot open a member room.
  auto by_pass = open_room(*header, SecretBytes::from("anything"));
  ASSERT_FALSE(by_pass);
  EXPECT_NE(by_pass.error().detail.find("member room"), std::string::npos);
}

TEST(HeaderV2, ATamperedGenesisOrSignatureIsRefused) {
  const auto kat = test::load_kat_v2();
  const Id128 room = kat.room_id();
  const EpochKey e0 = kat.epoch_key(0);
  auto good = parse_header(kat.header().text("header_line")).value();
  std::string flipped = good.sealed_genesis;
  flipped[30] ^= 1;
  EXPECT_FALSE(open_genesis(flipped, room, e0));
  EXPECT_FALSE(open_genesis(good.sealed_genesis, random_id(), e0));
  // Signed by someone who is not the owner it names: sealed correctly, signature fails.
  Genesis g = kat_genesis(kat);
  auto by_bob = seal_genesis(g, kat.make_identity("bob"), room, e0);
  ASSERT_FALSE(by_bob);  // bob is not listed as an owner
  g.members[1].role = Role::owner;
  by_bob = seal_genesis(g, kat.make_identity("bob"), room, e0);
  ASSERT_TRUE(by_bob);
  EXPECT_TRUE(open_genesis(*by_bob, room, e0));  // bob as co-owner signs his own: fine
}

TEST(HeaderV2, CreatedRoomsOpenForEveryFirstMember) {
  const Identity owner = Identity::generate(), bob = Identity::generate();
  auto room = create_member_room("team ✓", owner, "alice", {{bob.public_key(), Role::member, "bob"}},
                                 1u << 20);
  ASSERT_TRUE(room) << room.error().detail;
  auto header = parse_header(room->header);
  ASSERT_TRUE(header) << header.error().detail;
  EXPECT_EQ(header->room_id, room->room_id);
  for (const Identity* who : {&owner, &bob}) {
    auto key = open_grant(parse_grant(header->grant).value(), room->room_id, who->x25519_secret());
    ASSERT_TRUE(key);
    auto g = open_genesis(header->sealed_genesis, room->room_id, *key);
    ASSERT_TRUE(g);
    EXPECT_EQ(g->room_name, "team ✓");
  }
  EXPECT_FALSE(create_member_room("x", owner, "alice", {{owner.public_key(), Role::member, "me"}}, 1));
  EXPECT_FALSE(create_member_room("x", owner, "has space", {}, 1));
  EXPECT_FALSE(create_member_room("a/b", owner, "alice", {}, 1));
}

TEST(HeaderV2, MalformedHeadersAreNamed) {
  const auto kat = test::load_kat_v2();
  const std::string raw = kat.header().text("header_line");
  auto expect_bad = [](const std::string& text, std::string_view part) {
    auto h = parse_header(text);
    ASSERT_FALSE(h) << text;
    EXPECT_EQ(h.error().code, Errc::bad_data);
    EXPECT_NE(h.error().detail.find(part), std::string::npos) << h.error().detail;
  };
  std::string mono = raw;
  mono.replace(mono.find("xchacha20poly1305"), 17, "mono24");
  expect_bad(mono, "for a member room");
  expect_bad(raw.substr(0, raw.size() - 1), "truncated in the genesis line");
  expect_bad(raw + "x\n", "after the genesis line");
  std::string no_grant = raw;
  no_grant.replace(no_grant.find("grant "), 6, "grant !");
  expect_bad(no_grant, "grant is not base64url");
}

}  // namespace
}  // namespace ftpchat
