// Run chains (keyed BLAKE2b-256), seal payloads and the reader's run verifier.
#include "ftpchat/identity/seal.hpp"

#include <sodium.h>

#include <algorithm>
#include <map>

#include "ftpchat/core/wire.hpp"

namespace ftpchat {

namespace {

constexpr std::string_view kRunPrefix = "ftpchatfs v2 run";
constexpr std::string_view kSealPrefix = "ftpchatfs v2 seal";

const unsigned char* uc(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

ChainValue run_chain_start(const Id128& room_id, const Id128& writer, std::uint64_t first_seq) {
  std::string message(kRunPrefix);
  message += as_chars(room_id);
  message += as_chars(writer);
  put_u64(message, first_seq);
  ChainValue c{};
  crypto_generichash(c.data(), c.size(), uc(message), message.size(), nullptr, 0);
  return c;
}

ChainValue run_chain_step(const ChainValue& previous, const Id128& epoch,
                          std::string_view plaintext) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, previous.data(), previous.size(), 32);
  crypto_generichash_update(&st, epoch.data(), epoch.size());
  crypto_generichash_update(&st, uc(plaintext), plaintext.size());
  ChainValue c{};
  crypto_generichash_final(&st, c.data(), c.size());
  return c;
}

std::string seal_message(const Id128& room_id, const Id128& writer, std::uint64_t first_seq,
                         std::uint64_t last_seq, const ChainValue& end) {
  std::string message(kSealPrefix);
  message += as_chars(room_id);
  message += as_chars(writer);
  put_u64(message, first_seq);
  put_u64(message, last_seq);
  put_bytes(message, end);
  return message;
}

std::string encode_seal_payload(const SealPayload& seal) {
  std::string out;
  put_u64(out, seal.first_seq);
  put_bytes(out, seal.signer);
  put_bytes(out, seal.signature);
  return out;
}

Result<SealPayload> parse_seal_payload(std::string_view payload) {
  WireReader in(payload);
  auto first = in.u64();
  auto signer = in.array<32>();
  auto signature = in.array<64>();
  if (!first || !signer || !signature || !in.done())
    return make_error(Errc::bad_data, "seal record has the wrong length");
  return SealPayload{*first, *signer, *signature};
}

SealPayload seal_run(const Identity& signer, const Id128& room_id, const Id128& writer,
                     std::uint64_t first_seq, const std::vector<RunEntry>& entries) {
  ChainValue c = run_chain_start(room_id, writer, first_seq);
  for (const RunEntry& e : entries) c = run_chain_step(c, e.epoch, e.plaintext);
  const std::uint64_t last = first_seq + entries.size() - 1;
  return SealPayload{first_seq, signer.public_key(),
                     signer.sign(seal_message(room_id, writer, first_seq, last, c))};
}

RunOutcome RunVerifier::add(DecodedRecord record) {
  RunOutcome out;
  if (pending_.size() >= kMaxPendingRecords ||
      pending_bytes_ + record.plaintext.size() > kMaxPendingBytes) {
    out.rejected = pending_.size();
    out.reason = "a run of records grew past the reader's bounds without a seal";
    pending_.clear();
    pending_bytes_ = 0;
  }
  pending_bytes_ += record.plaintext.size();
  pending_.push_back(std::move(record));
  return out;
}

RunOutcome RunVerifier::seal(const DecodedRecord& seal_record,
                             std::optional<PublicKey>& writer_signer) {
  RunOutcome out;
  auto seal = parse_seal_payload(seal_record.payload);
  const std::uint64_t last = seal_record.message.seq;
  if (!seal || seal->first_seq == 0 || seal->first_seq > last ||
      last - seal->first_seq >= kMaxPendingRecords) {
    out.rejected = 1;
    out.reason = "a seal record is malformed";
    return out;
  }
  const std::uint64_t first = seal->first_seq;
  // One record per seq of the run; identical copies (a retried append) are one.
  std::map<std::uint64_t, const DecodedRecord*> run;
  std::uint64_t stale = 0, in_run = 0;
  bool conflict = false;
  for (const DecodedRecord& r : pending_) {
    const std::uint64_t s = r.message.seq;
    if (s < first) ++stale;
    if (s < first || s > last) continue;
    auto [it, fresh] = run.emplace(s, &r);
    if (fresh) ++in_run;
    else if (it->second->plaintext != r.plaintext || it->second->epoch != r.epoch) conflict = true;
  }
  std::string failure;
  if (conflict) failure = "two different records claim one seq in a run";
  else if (run.size() != last - first + 1) failure = "a run is incomplete (a record is missing)";
  else if (writer_signer && *writer_signer != seal->signer)
    failure = "a seal is signed by another identity than the writer's earlier seals";
  if (failure.empty()) {
    ChainValue c = run_chain_start(room_id_, writer_, first);
    for (const auto& [s, r] : run) c = run_chain_step(c, r->epoch, r->plaintext);
    if (!verify_signature(seal->signer, seal_message(room_id_, writer_, first, last, c),
                          seal->signature))
      failure = "a seal's signature does not verify (forged or damaged records)";
  }
  if (failure.empty()) {
    writer_signer = seal->signer;
    for (const auto& [s, r] : run) out.verified.push_back(VerifiedRecord{*r, seal->signer});
  } else {
    out.rejected += in_run;
    out.reason = failure;
  }
  if (stale > 0 && out.reason.empty()) out.reason = "records were never sealed";
  out.rejected += stale;
  std::vector<DecodedRecord> keep;
  pending_bytes_ = 0;
  for (DecodedRecord& r : pending_)
    if (r.message.seq > last) {
      pending_bytes_ += r.plaintext.size();
      keep.push_back(std::move(r));
    }
  pending_ = std::move(keep);
  return out;
}

}  // namespace ftpchat
