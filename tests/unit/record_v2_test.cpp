// Version 2 records, chains and seals: every known-answer record line, content, chain value,
// seal and signature of make_kat_v2.py (a chain that runs on across uploads, its later seal
// not naming the signer; one that starts anew); decoding through decode_line. The reader's
// chain verifier: chain_verifier_test.cpp.
#include <gtest/gtest.h>
#include <sodium.h>

#include "ftpchat/identity/keyring.hpp"
#include "ftpchat/identity/membership_record.hpp"
#include "ftpchat/identity/seal.hpp"
#include "ftpchat/record/record.hpp"
#include "ftpchat/room/writer_cursor.hpp"
#include "kat_v2.hpp"

namespace ftpchat {
namespace {

using test::kat_runs;
using test::KatRun;
using test::seal_of;

TEST(RecordV2, ReproducesEveryKnownAnswerRecord) {
  const auto kat = test::load_kat_v2();
  KAT_KEYS(keys, kat);
  const Id128 room = kat.room_id();
  for (const KatRun& run : kat_runs(kat)) {
    const std::uint64_t anchor = std::stoull(run.run->at("anchor"));
    ChainValue chain = run.run->array<32>("chain_before_hex");
    if (anchor == std::stoull(run.records[0]->at("seq"))) {  // a new chain starts here
      EXPECT_EQ(chain, chain_start(room, run.run->id("writer_hex"), anchor));
    }
    for (const test::KatSection* r : run.records) {
      const auto kind = static_cast<RecordKind>(std::stoi(r->at("kind")));
      const std::string content = v2_content(kind, std::stoull(r->at("seq")),
                                             std::stoull(r->at("stamp")), r->bytes("payload_hex"));
      EXPECT_EQ(to_hex(content), r->at("content_hex"));
      const std::string seal = seal_of(*r);
      EXPECT_EQ(to_hex(content + seal), r->at("plaintext_hex"));
      EXPECT_EQ(!seal.empty(), r == run.records.back());  // the upload's last record carries it
      const Id128 epoch = r->id("epoch_hex");
      Nonce nonce{};
      const std::string n = r->bytes("nonce_hex");
      std::copy(n.begin(), n.end(), nonce.begin());
      EXPECT_EQ(encode_record_v2_with_nonce(*keys.epoch(epoch), epoch, room, r->id("writer_hex"),
                                            content, nonce, seal),
                r->at("line"));
      EXPECT_EQ(record_epoch(r->at("line")), epoch);
      auto decoded = decode_line(keys, room, r->id("writer_hex"), r->at("line"));
      ASSERT_TRUE(decoded) << decoded.error().detail;
      EXPECT_EQ(decoded->version, 2);
      EXPECT_EQ(decoded->kind, static_cast<std::uint8_t>(kind));
      EXPECT_EQ(decoded->content, content);
      EXPECT_EQ(decoded->seal, seal);
      EXPECT_EQ(decoded->message.seq, std::stoull(r->at("seq")));
      chain = chain_step(chain, epoch, content);
      EXPECT_EQ(to_hex(std::string_view(reinterpret_cast<const char*>(chain.data()), 32)),
                r->at("chain_hex"));
      if (kind == RecordKind::membership) {
        EXPECT_TRUE(parse_membership(decoded->payload));
      }
      if (!seal.empty()) {
        auto parsed = parse_seal(seal);
        ASSERT_TRUE(parsed);
        EXPECT_EQ(parsed->anchor, anchor);
        // The first seal of a chain names the signer; one that runs on does not.
        EXPECT_EQ(parsed->signer.has_value(), anchor == std::stoull(run.records[0]->at("seq")));
        if (parsed->signer) {
          EXPECT_EQ(*parsed->signer, kat.make_identity(run.run->at("signer")).public_key());
        }
        EXPECT_EQ(encode_seal(*parsed), seal);
      }
    }
  }
}

TEST(RecordV2, SealsMatchKnownAnswerSignatures) {
  const auto kat = test::load_kat_v2();
  const Id128 room = kat.room_id();
  std::map<Id128, std::optional<ChainPoint>> chains;  // each writer's, as it sealed last
  for (const KatRun& run : kat_runs(kat)) {
    const Identity signer = kat.make_identity(run.run->at("signer"));
    const Id128 writer = run.run->id("writer_hex");
    std::vector<std::string> contents;
    std::vector<RunEntry> entries;
    for (const test::KatSection* r : run.records) contents.push_back(r->bytes("content_hex"));
    for (std::size_t i = 0; i < run.records.size(); ++i)
      entries.push_back(RunEntry{run.records[i]->id("epoch_hex"), contents[i]});
    std::optional<ChainPoint>& chain = chains[writer];
    const std::uint64_t first = std::stoull(run.records[0]->at("seq"));
    if (std::stoull(run.run->at("anchor")) == first) chain.reset();  // the KAT starts anew here
    const SealPayload seal = seal_records(signer, room, writer, first, entries, chain);
    EXPECT_EQ(seal.anchor, std::stoull(run.run->at("anchor")));
    EXPECT_EQ(encode_seal(seal), run.records.back()->bytes("seal_hex"));
    EXPECT_EQ(to_hex(std::string_view(reinterpret_cast<const char*>(seal.signature.data()), 64)),
              run.records.back()->at("signature_hex"));
  }
}

TEST(RecordV2, MessagesDecodeWithTheirFields) {
  const auto kat = test::load_kat_v2();
  KAT_KEYS(keys, kat);
  const auto& r = *kat_runs(kat)[0].records[1];
  auto d = decode_line(keys, kat.room_id(), r.id("writer_hex"), r.at("line"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->message.body, "tabs\tand ✓ unicode");
  EXPECT_EQ(to_hex(d->message.id), "202122232425262728292a2b2c2d2e2f");
  EXPECT_EQ(d->message.writer, r.id("writer_hex"));
}

TEST(RecordV2, WrongKeysWrongPlacesAndVersionsAreRefused) {
  const auto kat = test::load_kat_v2();
  const Id128 room = kat.room_id();
  const auto& r = *kat_runs(kat)[0].records[0];
  const std::string line = r.at("line");
  Keyring none;
  auto missing = decode_line(none, room, r.id("writer_hex"), line);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);  // no key: the reader looks for a grant
  KAT_KEYS(keys, kat);
  auto moved = decode_line(keys, room, random_id(), line);  // into another writer's file
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().code, Errc::bad_data);
  EXPECT_FALSE(decode_line(keys, random_id(), r.id("writer_hex"), line));  // another room
  // A v1 record line in a member room.
  auto v1cipher = make_record_cipher(Suite::xchacha20poly1305, SecretBytes::from(std::string(32, 'k')));
  Message m;
  m.seq = 1;
  auto v1line = encode_record(*v1cipher, room, m);
  auto refused = decode_line(keys, room, m.writer, *v1line);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().detail.find("version 1 record in a member room"), std::string::npos);
  for (std::size_t len = 1; len < 60; ++len)
    EXPECT_FALSE(decode_line(keys, room, r.id("writer_hex"), line.substr(0, len))) << len;
}

TEST(RecordV2, UnknownKindsAndSeqZeroFollowTheRules) {
  Keyring keys;
  keys.add(epoch_key_from(SecretBytes::from(std::string(32, 'e'))));
  const EpochKey e = epoch_key_from(SecretBytes::from(std::string(32, 'e')));
  const Id128 room = random_id(), writer = random_id();
  const RecordCipher& c = *keys.epoch(e.id);
  auto d = decode_line(keys, room, writer,
                       encode_record_v2(c, e.id, room, writer, v2_content(RecordKind{9}, 4, 7, "future")));
  ASSERT_TRUE(d);  // a kind from a later version decodes: the reader skips it once sealed
  EXPECT_EQ(d->kind, 9);
  EXPECT_EQ(d->payload, "future");
  SealPayload unnamed{4, std::nullopt, {}};
  unnamed.signature.fill(7);
  const std::string seal = encode_seal(unnamed);
  ASSERT_EQ(seal.size(), kSealBytes);
  d = decode_line(keys, room, writer,
                  encode_record_v2(c, e.id, room, writer, v2_content(RecordKind{9}, 4, 7, "future"), seal));
  ASSERT_TRUE(d);  // ... and so does one that carries a seal, split off by its form byte
  EXPECT_EQ(d->payload, "future");
  EXPECT_EQ(d->seal, seal);
  for (RecordKind invalid : {RecordKind{0}, RecordKind{2}})
    EXPECT_FALSE(decode_line(keys, room, writer,
                             encode_record_v2(c, e.id, room, writer, v2_content(invalid, 4, 7, ""))));
  EXPECT_FALSE(decode_line(keys, room, writer,
                           encode_record_v2(c, e.id, room, writer, v2_content(RecordKind::message, 0, 7, std::string(17, 'x')))));
  EXPECT_FALSE(decode_line(keys, room, writer,
                           encode_record_v2(c, e.id, room, writer, v2_content(RecordKind::message, 1, 7, "short"))));
  // A seal of an unknown form, and a plaintext too short for its seal and a content.
  EXPECT_FALSE(decode_line(keys, room, writer,
                           encode_record_v2(c, e.id, room, writer, v2_content(RecordKind{9}, 4, 7, ""),
                                            seal.substr(0, seal.size() - 1) + "\x02")));
  EXPECT_FALSE(decode_line(keys, room, writer,
                           encode_record_v2(c, e.id, room, writer, std::string(16, 'c'), seal)));
  EXPECT_FALSE(parse_seal(seal.substr(1)));
  EXPECT_FALSE(parse_seal(seal + "\x01"));
}

// The reader's side: feed a writer file's lines, then check the seals (a piece's end), or
// check after every line (one line per piece).
}  // namespace
}  // namespace ftpchat
