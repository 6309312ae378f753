// Receipts (record kind 4 of member rooms): the payload and bob's upload of
// make_kat_receipts.py reproduced byte for byte (plaintexts, chain, seal, lines), decoded back
// through decode_line and the chain verifier, and every payload a reader must reject.
#include <gtest/gtest.h>

#include "ftpchat/identity/keyring.hpp"
#include "ftpchat/identity/seal.hpp"
#include "ftpchat/record/receipt.hpp"
#include "ftpchat/record/record.hpp"
#include "kat_v2.hpp"

namespace ftpchat {
namespace {

std::string hex_of(const ChainValue& v) {
  return to_hex(std::string_view(reinterpret_cast<const char*>(v.data()), v.size()));
}

std::vector<ReceiptEntry> kat_entries(const test::KatSection& s) {
  std::vector<ReceiptEntry> out;
  const auto writers = s.all("entry_writer_hex"), seqs = s.all("entry_seq"),
             stamps = s.all("entry_stamp"), ids = s.all("entry_message_id_hex");
  for (std::size_t i = 0; i < writers.size(); ++i)
    out.push_back(ReceiptEntry{*id_from_hex(writers[i]), std::stoull(seqs[i]),
                               std::stoull(stamps[i]), *id_from_hex(ids[i])});
  return out;
}

TEST(Receipt, PayloadMatchesTheKnownAnswerAndDecodesBack) {
  const auto kat = test::load_kat_v2("kat_receipts.txt");
  const test::KatSection& r = *kat.all("receipt").at(0);
  const std::vector<ReceiptEntry> entries = kat_entries(r);
  ASSERT_EQ(entries.size(), 2u);
  auto encoded = encode_receipt_payload(entries);
  ASSERT_TRUE(encoded) << encoded.error().detail;
  EXPECT_EQ(to_hex(*encoded), r.at("payload_hex"));
  auto decoded = decode_receipt_payload(r.bytes("payload_hex"));
  ASSERT_TRUE(decoded) << decoded.error().detail;
  EXPECT_EQ(*decoded, entries);
}

TEST(Receipt, ReaderRejectsEveryBadPayloadAndWriterRefusesToMakeThem) {
  const auto kat = test::load_kat_v2("kat_receipts.txt");
  const test::KatSection& bad = *kat.all("bad_payloads").at(0);
  const auto whys = bad.all("why"), payloads = bad.all("payload_hex");
  ASSERT_EQ(whys.size(), 7u);
  for (std::size_t i = 0; i < whys.size(); ++i) {
    auto decoded = decode_receipt_payload(*from_hex(payloads[i]));
    ASSERT_FALSE(decoded) << whys[i];
    EXPECT_EQ(decoded.error().code, Errc::bad_data) << whys[i];
  }
  std::vector<ReceiptEntry> entries = kat_entries(*kat.all("receipt").at(0));
  EXPECT_FALSE(encode_receipt_payload({}));
  std::swap(entries[0], entries[1]);
  EXPECT_EQ(encode_receipt_payload(entries).error().code, Errc::invalid_argument);
  entries[0] = entries[1];
  EXPECT_FALSE(encode_receipt_payload(entries));  // a writer twice
  entries.resize(1);
  entries[0].seq = 0;
  EXPECT_FALSE(encode_receipt_payload(entries));
  EXPECT_FALSE(encode_receipt_payload(std::vector<ReceiptEntry>(kMaxReceiptEntries + 1)));
}

TEST(Receipt, BobsUploadWithAReceiptIsReproducedAndVerifies) {
  const auto v2kat = test::load_kat_v2();
  const auto kat = test::load_kat_v2("kat_receipts.txt");
  const Id128 room = v2kat.room_id();
  Keyring keys;
  keys.add(v2kat.epoch_key(0));
  const test::KatSection& run = *kat.all("run").at(0);
  const auto records = kat.all("record");
  ASSERT_EQ(records.size(), 2u);  // message, receipt (which carries the seal)
  const Id128 writer = run.id("writer_hex");
  const std::uint64_t anchor = std::stoull(run.at("anchor"));
  ChainValue chain = chain_start(room, writer, anchor);
  EXPECT_EQ(hex_of(chain), run.at("chain_before_hex"));
  std::vector<std::string> contents;
  ChainVerifier verifier(room, writer);
  for (const test::KatSection* r : records) {
    const auto kind = static_cast<RecordKind>(std::stoi(r->at("kind")));
    const std::string content = v2_content(kind, std::stoull(r->at("seq")),
                                           std::stoull(r->at("stamp")), r->bytes("payload_hex"));
    EXPECT_EQ(to_hex(content), r->at("content_hex"));
    const std::string seal = r->all("seal_hex").empty() ? std::string() : r->bytes("seal_hex");
    EXPECT_EQ(to_hex(content + seal), r->at("plaintext_hex"));
    Nonce nonce{};
    const std::string n = r->bytes("nonce_hex");
    std::copy(n.begin(), n.end(), nonce.begin());
    const Id128 epoch = r->id("epoch_hex");
    EXPECT_EQ(encode_record_v2_with_nonce(*keys.epoch(epoch), epoch, room, writer, content, nonce, seal),
              r->at("line"));
    auto decoded = decode_line(keys, room, writer, r->at("line"));
    ASSERT_TRUE(decoded) << decoded.error().detail;
    EXPECT_EQ(decoded->seal, seal);
    chain = chain_step(chain, epoch, content);
    EXPECT_EQ(hex_of(chain), r->at("chain_hex"));
    contents.push_back(content);
    EXPECT_EQ(verifier.add(*decoded).rejected, 0u);
  }
  // The seal bob makes over the two records is the known one, and names him (a new chain).
  const Identity bob = v2kat.make_identity("bob");
  std::optional<ChainPoint> none;
  const SealPayload seal =
      seal_records(bob, room, writer, std::stoull(records[0]->at("seq")),
                   {RunEntry{records[0]->id("epoch_hex"), contents[0]},
                    RunEntry{records[1]->id("epoch_hex"), contents[1]}},
                   none);
  EXPECT_EQ(seal.signer, bob.public_key());
  EXPECT_EQ(encode_seal(seal), records[1]->bytes("seal_hex"));
  // Verified: the receipt is kind 4, signed by bob, and its payload is the receipt's.
  std::optional<PublicKey> signer;
  RunOutcome out = verifier.check(signer);
  EXPECT_EQ(out.rejected, 0u) << out.reason;
  ASSERT_EQ(out.verified.size(), 2u);
  EXPECT_EQ(out.verified[1].record.kind, static_cast<std::uint8_t>(RecordKind::receipt));
  EXPECT_EQ(out.verified[1].signer, bob.public_key());
  auto entries = decode_receipt_payload(out.verified[1].record.payload);
  ASSERT_TRUE(entries);
  EXPECT_EQ(*entries, kat_entries(*kat.all("receipt").at(0)));
}

}  // namespace
}  // namespace ftpchat
