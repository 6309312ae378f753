// The reader's chain verifier (room/writer_cursor, identity/seal) on the known-answer writer
// files of make_kat_v2.py, and what it rejects: forged, missing, foreign and torn records,
// retried appends, chains across uploads and sessions, when seals are checked, bounds.
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

struct FileResult {
  std::vector<VerifiedRecord> verified;
  std::uint64_t rejected = 0;
  std::string reason;
};

FileResult read_file(const test::KatV2& kat, const std::vector<std::string>& lines,
                     const Id128& writer, std::optional<PublicKey>& signer,
                     bool check_each_line = false) {
  KAT_KEYS(keys, kat);
  ChainVerifier chains(kat.room_id(), writer);
  FileResult out;
  const auto take = [&](RunOutcome got) {
    for (VerifiedRecord& v : got.verified) out.verified.push_back(std::move(v));
    out.rejected += got.rejected;
    if (!got.reason.empty()) out.reason = got.reason;
  };
  for (const std::string& line : lines) {
    auto d = decode_line(keys, kat.room_id(), writer, line);
    if (!d) {
      ++out.rejected;
      continue;
    }
    take(chains.add(std::move(*d)));
    if (check_each_line) take(chains.check(signer));
  }
  take(chains.check(signer));
  return out;
}

std::vector<std::string> lines_of(const test::KatV2& kat, const Id128& writer) {
  std::vector<std::string> out;
  for (const KatRun& run : kat_runs(kat))
    if (run.run->id("writer_hex") == writer)
      for (const auto* r : run.records) out.push_back(r->at("line"));
  return out;
}

// A record of the known answers encrypted again: without its seal, or with another one.
std::string reencrypt(const test::KatV2& kat, const std::string& line, const Id128& writer,
                      std::optional<std::string> seal = std::nullopt) {
  KAT_KEYS(keys, kat);
  const DecodedRecord d = decode_line(keys, kat.room_id(), writer, line).value();
  return encode_record_v2(*keys.epoch(d.epoch), d.epoch, kat.room_id(), writer, d.content,
                          seal ? *seal : d.seal);
}

// lines of alice's file: r1 r2+seal(1..2, names alice) | r3 r4+seal(1..4) | r5+seal(5..5, names
// alice), a new chain
TEST(ChainVerifier, VerifiesTheKnownAnswerWriterFiles) {
  const auto kat = test::load_kat_v2();
  const Id128 alice_writer = kat_runs(kat)[0].run->id("writer_hex");
  for (bool each_line : {false, true}) {
    std::optional<PublicKey> signer;
    FileResult got = read_file(kat, lines_of(kat, alice_writer), alice_writer, signer, each_line);
    EXPECT_EQ(got.rejected, 0u) << got.reason;
    ASSERT_EQ(got.verified.size(), 5u);
    for (std::size_t i = 0; i < 5; ++i) {
      EXPECT_EQ(got.verified[i].record.message.seq, i + 1);
      EXPECT_EQ(got.verified[i].signer, kat.make_identity("alice").public_key());
      EXPECT_TRUE(got.verified[i].record.seal.empty());  // verified records are content only
    }
    EXPECT_EQ(signer, kat.make_identity("alice").public_key());
  }
}

TEST(ChainVerifier, TheNewestSealOfAChainCoversTheOlderOnes) {
  const auto kat = test::load_kat_v2();
  const Id128 w = kat_runs(kat)[0].run->id("writer_hex");
  std::vector<std::string> lines = lines_of(kat, w);
  // r2's seal damaged (it still names alice; its signature is wrong): seal(1..4) covers 1..4.
  KAT_KEYS(keys, kat);
  SealPayload bad = parse_seal(decode_line(keys, kat.room_id(), w, lines[1])->seal).value();
  bad.signature[0] ^= 1;
  lines[1] = reencrypt(kat, lines[1], w, encode_seal(bad));
  std::optional<PublicKey> signer;
  FileResult got = read_file(kat, lines, w, signer);
  EXPECT_EQ(got.rejected, 0u) << got.reason;
  EXPECT_EQ(got.verified.size(), 5u);
}

TEST(ChainVerifier, RetriedAppendsAndTornUploadsStillVerify) {
  const auto kat = test::load_kat_v2();
  const Id128 w = kat_runs(kat)[0].run->id("writer_hex");
  std::vector<std::string> lines = lines_of(kat, w);
  // The first upload torn after its first record, then appended again whole; the second
  // upload appended twice (its answer lost), the retry's sealed record encrypted anew (another
  // nonce, as a writer seals when it uploads), and once more with r4 unsealed inside a bigger
  // upload that ends with r5.
  std::vector<std::string> file{lines[0]};
  file.insert(file.end(), lines.begin(), lines.begin() + 4);
  file.push_back(lines[2]);
  file.push_back(reencrypt(kat, lines[3], w));
  file.push_back(lines[2]);
  file.push_back(reencrypt(kat, lines[3], w, std::string()));
  file.push_back(lines[4]);
  for (bool each_line : {false, true}) {
    std::optional<PublicKey> signer;
    FileResult got = read_file(kat, file, w, signer, each_line);
    EXPECT_EQ(got.rejected, 0u) << got.reason;
    EXPECT_EQ(got.verified.size(), 5u);
  }
}

TEST(ChainVerifier, ForgedMissingOrForeignRecordsAreRejected) {
  const auto kat = test::load_kat_v2();
  const Id128 alice_w = kat_runs(kat)[0].run->id("writer_hex");
  const Id128 bob_w = kat_runs(kat)[1].run->id("writer_hex");
  const std::vector<std::string> alice = lines_of(kat, alice_w);
  {
    // r2 deleted on the server, with the seal that named the chain's signer: r1, r3 and r4
    // cannot be checked.
    std::optional<PublicKey> signer;
    FileResult got = read_file(kat, {alice[0], alice[2], alice[3], alice[4]}, alice_w, signer);
    ASSERT_EQ(got.verified.size(), 1u);  // only r5, in the chain anchored at 5
    EXPECT_EQ(got.verified[0].record.message.seq, 5u);
    EXPECT_EQ(got.rejected, 3u);
    EXPECT_NE(got.reason.find("names no signer"), std::string::npos) << got.reason;
  }
  {
    // A writer id whose first seal was alice's: bob's upload in the same writer id is refused.
    std::optional<PublicKey> signer = kat.make_identity("alice").public_key();
    FileResult got = read_file(kat, lines_of(kat, bob_w), bob_w, signer);
    EXPECT_TRUE(got.verified.empty());
    EXPECT_NE(got.reason.find("another identity"), std::string::npos) << got.reason;
  }
  KAT_KEYS(keys, kat);
  const Identity bob = kat.make_identity("bob");
  const PublicKey alice_key = kat.make_identity("alice").public_key();
  auto r1 = decode_line(keys, kat.room_id(), alice_w, alice[0]).value();
  auto r2 = decode_line(keys, kat.room_id(), alice_w, alice[1]).value();
  {
    // Bob seals alice's records under his own key but names alice as the signer.
    std::optional<ChainPoint> fresh_chain;
    SealPayload forged = seal_records(bob, kat.room_id(), alice_w, 1,
                                      {{r1.epoch, r1.content}, {r2.epoch, r2.content}}, fresh_chain);
    forged.signer = alice_key;
    std::optional<PublicKey> signer;
    FileResult got = read_file(kat, {alice[0], reencrypt(kat, alice[1], alice_w, encode_seal(forged))},
                               alice_w, signer);
    EXPECT_TRUE(got.verified.empty());
    EXPECT_EQ(got.rejected, 2u);
    EXPECT_NE(got.reason.find("signature does not verify"), std::string::npos) << got.reason;
  }
  {
    // Bob appends to alice's file a record of his own and a seal in his name over her chain
    // (he can compute it: he reads her records). A reader new to the file reads it in one
    // piece: her chain's first seal named her, so her records stay hers and his is refused.
    Message m;
    m.seq = 3;
    m.body = "alice said nothing";
    randombytes_buf(m.id.data(), m.id.size());
    const std::string content = v2_content(RecordKind::message, 3, 1ull << 40, v2_message_payload(m).value());
    std::optional<ChainPoint> chain;
    const SealPayload resealed = seal_records(
        bob, kat.room_id(), alice_w, 1,
        {{r1.epoch, r1.content}, {r2.epoch, r2.content}, {r2.epoch, content}}, chain);
    ASSERT_TRUE(resealed.signer);  // a chain's first seal, as bob claims: names him
    const std::string forged = encode_record_v2(*keys.epoch(r2.epoch), r2.epoch, kat.room_id(),
                                                alice_w, content, encode_seal(resealed));
    for (bool each_line : {false, true}) {
      std::optional<PublicKey> signer;
      FileResult got = read_file(kat, {alice[0], alice[1], forged}, alice_w, signer, each_line);
      ASSERT_EQ(got.verified.size(), 2u);
      for (const VerifiedRecord& v : got.verified) EXPECT_EQ(v.signer, alice_key);
      EXPECT_EQ(got.rejected, 1u);
      EXPECT_NE(got.reason.find("another identity"), std::string::npos) << got.reason;
      EXPECT_EQ(signer, alice_key);
    }
    // The same with a copy of r2 that carries bob's seal over r1..r2: a duplicate, its seal
    // not the chain's signer's.
    std::optional<ChainPoint> chain2;
    const SealPayload over_r2 = seal_records(bob, kat.room_id(), alice_w, 1,
                                             {{r1.epoch, r1.content}, {r2.epoch, r2.content}}, chain2);
    std::optional<PublicKey> signer;
    FileResult got = read_file(kat, {alice[0], alice[1], reencrypt(kat, alice[1], alice_w, encode_seal(over_r2))},
                               alice_w, signer);
    ASSERT_EQ(got.verified.size(), 2u);
    for (const VerifiedRecord& v : got.verified) EXPECT_EQ(v.signer, alice_key);
  }
  {
    // Records below a newer chain's anchor never got a seal.
    std::optional<PublicKey> signer;
    FileResult got = read_file(kat, {alice[0], reencrypt(kat, alice[1], alice_w, std::string()), alice[4]},
                               alice_w, signer);
    ASSERT_EQ(got.verified.size(), 1u);
    EXPECT_EQ(got.rejected, 2u);
    EXPECT_NE(got.reason.find("never sealed"), std::string::npos) << got.reason;
  }
  {
    // A seal whose anchor lies past its own record is malformed: the record goes with it.
    SealPayload s = parse_seal(r2.seal).value();
    s.anchor = 3;
    std::optional<PublicKey> signer;
    FileResult got = read_file(kat, {alice[0], reencrypt(kat, alice[1], alice_w, encode_seal(s))},
                               alice_w, signer);
    EXPECT_TRUE(got.verified.empty());
    EXPECT_NE(got.reason.find("malformed"), std::string::npos) << got.reason;
  }
}

TEST(ChainVerifier, AWriterSealsOneChainAcrossUploadsAndSessions) {
  const Identity me = Identity::generate();
  const Id128 room = random_id(), writer = random_id();
  const EpochKey e = epoch_key_from(SecretBytes::from(std::string(32, 'e')));
  Keyring keys;
  keys.add(e.clone());
  for (bool each_upload : {false, true}) {
    ChainVerifier reader(room, writer);
    std::optional<ChainPoint> chain;  // the writer's
    std::optional<PublicKey> signer;
    std::uint64_t verified = 0;
    for (std::uint64_t seq = 1; seq <= 50; ++seq) {  // one message per upload
      const std::string content =
          v2_content(RecordKind::message, seq, seq << 16, std::string(1, '\0') + std::string(16, 'm'));
      if (seq == 30) chain.reset();  // a new session that lost its state: a new chain
      const SealPayload s = seal_records(me, room, writer, seq, {{e.id, content}}, chain);
      EXPECT_EQ(s.anchor, seq < 30 ? 1u : 30u);
      EXPECT_EQ(s.signer.has_value(), seq == 1 || seq == 30);  // only where a chain starts
      const std::string line = encode_record_v2(*keys.epoch(e.id), e.id, room, writer, content, encode_seal(s));
      const std::size_t binary = 1 + 16 + 24 + 16 + content.size() + encode_seal(s).size();
      EXPECT_EQ(line.size(), (4 * binary + 2) / 3);  // base64url without padding
      RunOutcome got = reader.add(decode_line(keys, room, writer, line).value());
      EXPECT_EQ(got.rejected, 0u);
      if (each_upload) {
        got = reader.check(signer);
        EXPECT_EQ(got.rejected, 0u) << got.reason;
        verified += got.verified.size();
      }
    }
    RunOutcome got = reader.check(signer);  // all 50 uploads: the newest seal of each chain
    verified += got.verified.size();
    EXPECT_EQ(got.rejected, 0u) << got.reason;
    EXPECT_EQ(verified, 50u);
    EXPECT_EQ(reader.chain()->anchor, 30u);
    EXPECT_EQ(reader.chain()->seq, 50u);
    EXPECT_EQ(signer, me.public_key());
  }
}

// A writer file of one message per upload, as WriterCursor reads it: a fetch's seals are
// checked at its end (finish), and during a long fetch once about kCheckPendingRecords records
// wait, so history costs a signature per thousand records, not one per piece.
TEST(ChainVerifier, AReaderChecksSealsPerFetchAndEveryThousandRecords) {
  const Identity me = Identity::generate();
  const Id128 room = random_id(), writer = random_id();
  const EpochKey e = epoch_key_from(SecretBytes::from(std::string(32, 'e')));
  Keyring keys;
  keys.add(e.clone());
  std::optional<ChainPoint> chain;
  std::string file;
  const std::uint64_t total = 3 * kCheckPendingRecords + 100;
  for (std::uint64_t seq = 1; seq <= total; ++seq) {
    const std::string content =
        v2_content(RecordKind::message, seq, seq << 16, std::string(1, '\0') + std::string(16, 'm'));
    const SealPayload s = seal_records(me, room, writer, seq, {{e.id, content}}, chain);
    file += "\n" + encode_record_v2(*keys.epoch(e.id), e.id, room, writer, content, encode_seal(s)) + "\n";
  }
  {  // a live poll: an upload in small pieces, verified only when the fetch ends
    std::optional<PublicKey> signer;
    SeqSet seqs;
    const CursorKeys ck{keys, room, &seqs, &signer, nullptr};
    WriterCursor cursor(writer);
    const std::size_t five = file.find("\n\n", 1);  // the end of the first upload
    std::size_t verified = 0;
    for (std::size_t at = 0; at < five + 1; at += 100)
      verified += cursor.ingest(std::string_view(file).substr(at, std::min<std::size_t>(100, five + 1 - at)), ck).verified.size();
    EXPECT_EQ(verified, 0u);
    EXPECT_EQ(cursor.finish(ck).verified.size(), 1u);
  }
  {  // history in 4 KiB pieces: checks while the fetch goes on, pending stays bounded
    std::optional<PublicKey> signer;
    SeqSet seqs;
    const CursorKeys ck{keys, room, &seqs, &signer, nullptr};
    WriterCursor cursor(writer);
    std::size_t verified = 0, checks = 0;
    for (std::size_t at = 0; at < file.size(); at += 4096) {
      const std::size_t got = cursor.ingest(std::string_view(file).substr(at, 4096), ck).verified.size();
      verified += got;
      checks += got > 0;
      EXPECT_LE(got, kCheckPendingRecords + 1);
    }
    EXPECT_EQ(checks, 3u);  // once per kCheckPendingRecords records
    IngestResult last = cursor.finish(ck);
    EXPECT_EQ(last.rejected, 0u) << last.reason;
    EXPECT_EQ(verified + last.verified.size(), total);
    EXPECT_EQ(signer, me.public_key());
  }
}

TEST(ChainVerifier, PendingRecordsAreBounded) {
  const EpochKey e = epoch_key_from(SecretBytes::from(std::string(32, 'e')));
  const Id128 room = random_id(), writer = random_id();
  ChainVerifier chains(room, writer);
  std::uint64_t dropped = 0;
  for (std::uint64_t s = 1; s <= kMaxPendingRecords + 10; ++s) {
    DecodedRecord d;
    d.version = 2;
    d.epoch = e.id;
    d.message.seq = s;
    d.content = "x";
    dropped += chains.add(std::move(d)).rejected;
  }
  EXPECT_EQ(dropped, kMaxPendingRecords);
  EXPECT_EQ(chains.pending(), 10u);
}

}  // namespace
}  // namespace ftpchat
