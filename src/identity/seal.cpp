// Chains (keyed BLAKE2b-256), seal payloads, the writer's sealing and the reader's checks.
#include "ftpchat/identity/seal.hpp"

#include <sodium.h>

#include <algorithm>
#include <tuple>

#include "ftpchat/core/wire.hpp"

namespace ftpchat {

namespace {

constexpr std::string_view kChainPrefix = "ftpchatfs v2 chain";
constexpr std::string_view kSealPrefix = "ftpchatfs v2 seal";

const unsigned char* uc(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

ChainValue chain_start(const Id128& room_id, const Id128& writer, std::uint64_t anchor) {
  std::string message(kChainPrefix);
  message += as_chars(room_id);
  message += as_chars(writer);
  put_u64(message, anchor);
  ChainValue c{};
  crypto_generichash(c.data(), c.size(), uc(message), message.size(), nullptr, 0);
  return c;
}

ChainValue chain_step(const ChainValue& previous, const Id128& epoch, std::string_view plaintext) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, previous.data(), previous.size(), 32);
  crypto_generichash_update(&st, epoch.data(), epoch.size());
  crypto_generichash_update(&st, uc(plaintext), plaintext.size());
  ChainValue c{};
  crypto_generichash_final(&st, c.data(), c.size());
  return c;
}

std::string seal_message(const Id128& room_id, const Id128& writer, std::uint64_t anchor,
                         std::uint64_t last_seq, const ChainValue& end) {
  std::string message(kSealPrefix);
  message += as_chars(room_id);
  message += as_chars(writer);
  put_u64(message, anchor);
  put_u64(message, last_seq);
  put_bytes(message, end);
  return message;
}

std::string encode_seal_payload(const SealPayload& seal) {
  std::string out;
  put_u64(out, seal.anchor);
  put_bytes(out, seal.signer);
  put_bytes(out, seal.signature);
  return out;
}

Result<SealPayload> parse_seal_payload(std::string_view payload) {
  WireReader in(payload);
  auto anchor = in.u64();
  auto signer = in.array<32>();
  auto signature = in.array<64>();
  if (!anchor || !signer || !signature || !in.done())
    return make_error(Errc::bad_data, "seal record has the wrong length");
  return SealPayload{*anchor, *signer, *signature};
}

SealPayload seal_records(const Identity& signer, const Id128& room_id, const Id128& writer,
                         std::uint64_t first_seq, const std::vector<RunEntry>& entries,
                         std::optional<ChainPoint>& chain) {
  // Writer rule 2: run on from the last seal of this file, else start anew here.
  ChainPoint at = chain && chain->seq + 1 == first_seq
                      ? *chain
                      : ChainPoint{first_seq, first_seq - 1, chain_start(room_id, writer, first_seq)};
  for (const RunEntry& e : entries) {
    at.value = chain_step(at.value, e.epoch, e.plaintext);
    ++at.seq;
  }
  chain = at;
  return SealPayload{at.anchor, signer.public_key(),
                     signer.sign(seal_message(room_id, writer, at.anchor, at.seq, at.value))};
}

RunOutcome ChainVerifier::add(DecodedRecord record) {
  RunOutcome out;
  const std::uint64_t seq = record.message.seq;
  if (chain_ && seq <= chain_->seq) {  // verified already: a retried append's copy
    ++out.duplicates;
    return out;
  }
  if (auto it = pending_.find(seq); it != pending_.end()) {
    if (it->second.record.plaintext == record.plaintext && it->second.record.epoch == record.epoch) {
      ++out.duplicates;
    } else {
      ++out.rejected;
      out.reason = "two different records claim one seq";
    }
    return out;
  }
  if (pending_.size() >= kMaxPendingRecords ||
      pending_bytes_ + record.plaintext.size() > kMaxPendingBytes) {
    out.rejected = pending_.size();
    out.reason = "records piled up past the reader's bounds without a seal";
    pending_.clear();
    pending_bytes_ = 0;
  }
  pending_bytes_ += record.plaintext.size();
  pending_.emplace(seq, Pending{std::move(record), arrivals_++});
  return out;
}

namespace {
Result<SealPayload> seal_of(const DecodedRecord& r) {
  auto payload = parse_seal_payload(r.payload);
  if (!payload || payload->anchor == 0 || payload->anchor > r.message.seq)
    return make_error(Errc::bad_data, "a seal record is malformed");
  return payload;
}
}  // namespace

void ChainVerifier::seal_line(std::string line) {
  seals_.push_back(KeptLine{std::move(line), {}, arrivals_++});
}

RunOutcome ChainVerifier::seal(const DecodedRecord& seal_record) {
  RunOutcome out;
  auto payload = seal_of(seal_record);
  if (!payload) {
    out.rejected = 1;
    out.reason = payload.error().detail;
    return out;
  }
  seals_.push_back(KeptLine{"", Kept{*payload, seal_record.message.seq}, arrivals_++});
  return out;
}

std::optional<ChainVerifier::Kept> ChainVerifier::decoded(std::size_t i, const SealDecoder& decode,
                                                          RunOutcome& out) {
  KeptLine& k = seals_[i];
  if (k.kept) return k.kept;
  auto record = decode ? decode(k.line) : Result<DecodedRecord>(make_error(Errc::internal, "no decoder"));
  Result<SealPayload> payload = record ? seal_of(*record) : Result<SealPayload>(record.error());
  if (!payload) {
    ++out.rejected;
    out.reason = record ? payload.error().detail : "a seal does not decode: " + record.error().detail;
    return std::nullopt;
  }
  k.kept = Kept{*payload, record->message.seq};
  return k.kept;
}

std::optional<ChainValue> ChainVerifier::chain_to(const Kept& kept) const {
  const std::uint64_t anchor = kept.payload.anchor;
  ChainPoint at;
  if (chain_ && chain_->anchor == anchor && kept.last > chain_->seq)
    at = *chain_;
  else if (!chain_ || anchor > chain_->seq)
    at = ChainPoint{anchor, anchor - 1, chain_start(room_id_, writer_, anchor)};
  else
    return std::nullopt;  // anchored inside what is verified, or an older chain
  for (std::uint64_t s = at.seq + 1; s <= kept.last; ++s) {
    auto it = pending_.find(s);
    if (it == pending_.end()) return std::nullopt;  // a record is missing
    at.value = chain_step(at.value, it->second.record.epoch, it->second.record.plaintext);
  }
  return at.value;
}

std::optional<ChainValue> ChainVerifier::verify(const Kept& kept,
                                                const std::optional<PublicKey>& writer_signer) const {
  if (writer_signer && *writer_signer != kept.payload.signer) return std::nullopt;
  auto end = chain_to(kept);
  if (!end || !verify_signature(kept.payload.signer,
                                seal_message(room_id_, writer_, kept.payload.anchor, kept.last, *end),
                                kept.payload.signature))
    return std::nullopt;
  return end;
}

void ChainVerifier::emit(const Kept& kept, const ChainValue& end, RunOutcome& out) {
  const std::uint64_t anchor = kept.payload.anchor;
  for (auto it = pending_.begin(); it != pending_.end() && it->first <= kept.last;) {
    pending_bytes_ -= it->second.record.plaintext.size();
    if (it->first < anchor) {
      ++out.rejected;  // below a newer chain's anchor: never sealed
      out.reason = "records were never sealed";
    } else {
      out.verified.push_back(VerifiedRecord{std::move(it->second.record), kept.payload.signer});
    }
    it = pending_.erase(it);
  }
  chain_ = ChainPoint{anchor, kept.last, end};
}

void ChainVerifier::reject_through(std::uint64_t last, const std::string& why, RunOutcome& out) {
  for (auto it = pending_.begin(); it != pending_.end() && it->first <= last;) {
    pending_bytes_ -= it->second.record.plaintext.size();
    ++out.rejected;
    it = pending_.erase(it);
  }
  out.reason = why;
}

RunOutcome ChainVerifier::check(std::optional<PublicKey>& writer_signer, const SealDecoder& decode) {
  RunOutcome out;
  if (seals_.empty()) return out;
  // The usual case: the last seal covers everything pending up to it, in the chain that runs
  // on (or a new one with nothing pending below its anchor): one decryption, one signature.
  if (auto last = decoded(seals_.size() - 1, decode, out)) {
    const bool old_copy = chain_ && last->payload.anchor == chain_->anchor && last->last <= chain_->seq;
    const bool nothing_below = pending_.empty() || pending_.begin()->first >= last->payload.anchor;
    if (!old_copy && nothing_below) {
      if (auto end = verify(*last, writer_signer)) {
        if (!writer_signer) writer_signer = last->payload.signer;
        emit(*last, *end, out);
        // Done, unless a record that came before this seal is still pending (a replay or an
        // upload out of order): then an earlier seal may cover it.
        const std::uint64_t at = seals_.back().arrival;
        seals_.pop_back();
        const bool earlier_pending = std::any_of(pending_.begin(), pending_.end(),
                                                 [&](const auto& p) { return p.second.arrival < at; });
        if (!earlier_pending || seals_.empty()) {
          seals_.clear();
          return out;
        }
      }
    }
  } else {
    seals_.pop_back();  // counted as rejected; the others are checked below
  }
  std::vector<Kept> all;
  for (std::size_t i = 0; i < seals_.size(); ++i)
    if (auto k = decoded(i, decode, out)) all.push_back(*k);
  seals_.clear();
  check_all(std::move(all), writer_signer, out);
  return out;
}

void ChainVerifier::check_all(std::vector<Kept> seals, std::optional<PublicKey>& writer_signer,
                              RunOutcome& out) {
  // Chains oldest first (anchors only grow in a file), each chain's seals by what they cover:
  // a seal replayed later in the file counts where it belongs.
  std::stable_sort(seals.begin(), seals.end(), [](const Kept& a, const Kept& b) {
    return std::tie(a.payload.anchor, a.last) < std::tie(b.payload.anchor, b.last);
  });
  const auto take = [&](const Kept& k, const ChainValue& end) {
    if (!writer_signer) writer_signer = k.payload.signer;
    emit(k, end, out);
  };
  const auto covered = [&](const Kept& k) {
    return chain_ && k.payload.anchor == chain_->anchor && k.last <= chain_->seq;
  };
  for (std::size_t begin = 0; begin < seals.size();) {
    std::size_t end = begin;  // the seals of one chain
    while (end < seals.size() && seals[end].payload.anchor == seals[begin].payload.anchor) ++end;
    const Kept& newest = seals[end - 1];
    if (covered(newest)) {
      begin = end;  // a copy of a seal already verified (a retried append)
      continue;
    }
    if (auto value = verify(newest, writer_signer)) {  // one signature covers the chain
      take(newest, *value);
      begin = end;
      continue;
    }
    for (std::size_t i = begin; i < end; ++i) {  // what still verifies, in order of coverage
      const Kept& k = seals[i];
      if (covered(k)) continue;
      if (auto value = verify(k, writer_signer)) {
        take(k, *value);
      } else {
        reject_through(k.last, writer_signer && *writer_signer != k.payload.signer
                                   ? "a seal is signed by another identity than the writer's "
                                     "earlier seals"
                                   : "a seal's signature does not verify (forged, damaged or "
                                     "incomplete records)",
                       out);
      }
    }
    begin = end;
  }
}

}  // namespace ftpchat
