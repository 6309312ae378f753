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

ChainValue chain_step(const ChainValue& previous, const Id128& epoch, std::string_view content) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, previous.data(), previous.size(), 32);
  crypto_generichash_update(&st, epoch.data(), epoch.size());
  crypto_generichash_update(&st, uc(content), content.size());
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

std::string encode_seal(const SealPayload& seal) {
  std::string out;
  out.reserve(kSealNamedBytes);
  put_u64(out, seal.anchor);
  if (seal.signer) put_bytes(out, *seal.signer);
  put_bytes(out, seal.signature);
  put_u8(out, seal.signer ? 1 : 0);
  return out;
}

Result<SealPayload> parse_seal(std::string_view seal) {
  const bool named = seal.size() == kSealNamedBytes && seal.back() == 1;
  if (!named && !(seal.size() == kSealBytes && seal.back() == 0))
    return make_error(Errc::bad_data, "a seal has the wrong length for its form");
  WireReader in(seal.substr(0, seal.size() - 1));
  SealPayload out;
  out.anchor = *in.u64();
  if (named) out.signer = *in.array<32>();
  out.signature = *in.array<64>();
  return out;
}

SealPayload seal_records(const Identity& signer, const Id128& room_id, const Id128& writer,
                         std::uint64_t first_seq, const std::vector<RunEntry>& entries,
                         std::optional<ChainPoint>& chain) {
  // Writer rule 2: run on from the last seal of this file, else start anew here; rule 3: the
  // first seal of a chain names the signer.
  const bool runs_on = chain && chain->seq + 1 == first_seq;
  ChainPoint at = runs_on ? *chain
                          : ChainPoint{first_seq, first_seq - 1, chain_start(room_id, writer, first_seq)};
  for (const RunEntry& e : entries) {
    at.value = chain_step(at.value, e.epoch, e.content);
    ++at.seq;
  }
  chain = at;
  SealPayload out;
  out.anchor = at.anchor;
  if (!runs_on) out.signer = signer.public_key();
  out.signature = signer.sign(seal_message(room_id, writer, at.anchor, at.seq, at.value));
  return out;
}

RunOutcome ChainVerifier::add(DecodedRecord record) {
  RunOutcome out;
  const std::uint64_t seq = record.message.seq;
  std::optional<Kept> seal;
  if (!record.seal.empty()) {  // reader rule 4
    auto payload = parse_seal(record.seal);
    if (!payload || payload->anchor == 0 || payload->anchor > seq) {
      out.rejected = 1;
      out.reason = "a seal is malformed";
      return out;
    }
    seal = Kept{std::move(*payload), seq, arrivals_};
  }
  const auto keep_seal = [&] {
    if (seal) seals_.push_back(std::move(*seal));
  };
  if (chain_ && seq <= chain_->seq) {  // verified already: a retried append's copy
    ++out.duplicates;
    keep_seal();  // a copy of a seal already verified: check() passes over it
    ++arrivals_;
    return out;
  }
  if (auto it = pending_.find(seq); it != pending_.end()) {
    if (it->second.record.content == record.content && it->second.record.epoch == record.epoch) {
      ++out.duplicates;  // the same record, with or without a seal
      keep_seal();
    } else {
      ++out.rejected;
      out.reason = "two different records claim one seq";
    }
    ++arrivals_;
    return out;
  }
  if (pending_.size() >= kMaxPendingRecords ||
      pending_bytes_ + record.content.size() > kMaxPendingBytes) {
    out.rejected = pending_.size();
    out.reason = "records piled up past the reader's bounds without a seal";
    pending_.clear();
    pending_bytes_ = 0;
  }
  pending_bytes_ += record.content.size();
  record.seal.clear();
  pending_.emplace(seq, Pending{std::move(record), arrivals_++});
  keep_seal();
  return out;
}

namespace {

// The signer a kept seal is checked with (FORMAT.md, "The signer"): the writer id's once
// fixed, else the one named by the first seal of its chain among `seals` (file order); none
// when it names another, or when nobody is named.
template <typename KeptSeal>
std::optional<PublicKey> signer_for(const KeptSeal& k, const std::vector<KeptSeal>& seals,
                                    const std::optional<PublicKey>& writer_signer) {
  std::optional<PublicKey> chain_signer = writer_signer;
  if (!chain_signer)
    for (const KeptSeal& s : seals)
      if (s.payload.anchor == k.payload.anchor && s.payload.signer) {
        chain_signer = s.payload.signer;
        break;
      }
  if (!chain_signer || (k.payload.signer && *k.payload.signer != *chain_signer)) return std::nullopt;
  return chain_signer;
}

}  // namespace

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
    at.value = chain_step(at.value, it->second.record.epoch, it->second.record.content);
  }
  return at.value;
}

std::optional<ChainValue> ChainVerifier::verify(const Kept& kept, const PublicKey& signer) const {
  auto end = chain_to(kept);
  if (!end || !verify_signature(signer,
                                seal_message(room_id_, writer_, kept.payload.anchor, kept.last, *end),
                                kept.payload.signature))
    return std::nullopt;
  return end;
}

void ChainVerifier::emit(const Kept& kept, const PublicKey& signer, const ChainValue& end,
                         RunOutcome& out) {
  const std::uint64_t anchor = kept.payload.anchor;
  for (auto it = pending_.begin(); it != pending_.end() && it->first <= kept.last;) {
    pending_bytes_ -= it->second.record.content.size();
    if (it->first < anchor) {
      ++out.rejected;  // below a newer chain's anchor: never sealed
      out.reason = "records were never sealed";
    } else {
      out.verified.push_back(VerifiedRecord{std::move(it->second.record), signer});
    }
    it = pending_.erase(it);
  }
  chain_ = ChainPoint{anchor, kept.last, end};
}

void ChainVerifier::reject_through(std::uint64_t last, const std::string& why, RunOutcome& out) {
  for (auto it = pending_.begin(); it != pending_.end() && it->first <= last;) {
    pending_bytes_ -= it->second.record.content.size();
    ++out.rejected;
    it = pending_.erase(it);
  }
  out.reason = why;
}

RunOutcome ChainVerifier::check(std::optional<PublicKey>& writer_signer) {
  RunOutcome out;
  if (seals_.empty()) return out;
  // The usual case: the last seal covers everything pending up to it, in the chain that runs
  // on (or a new one with nothing pending below its anchor): one signature.
  const Kept& last = seals_.back();
  const bool old_copy = chain_ && last.payload.anchor == chain_->anchor && last.last <= chain_->seq;
  const bool nothing_below = pending_.empty() || pending_.begin()->first >= last.payload.anchor;
  if (!old_copy && nothing_below) {
    const auto signer = signer_for(last, seals_, writer_signer);
    if (auto end = signer ? verify(last, *signer) : std::nullopt) {
      if (!writer_signer) writer_signer = signer;
      emit(last, *signer, *end, out);
      // Done, unless a record that came before this seal is still pending (a replay or an
      // upload out of order): then an earlier seal may cover it.
      const std::uint64_t at = last.arrival;
      seals_.pop_back();
      const bool earlier_pending = std::any_of(pending_.begin(), pending_.end(),
                                               [&](const auto& p) { return p.second.arrival < at; });
      if (!earlier_pending || seals_.empty()) {
        seals_.clear();
        return out;
      }
    }
  }
  std::vector<Kept> all = std::move(seals_);
  seals_.clear();
  check_all(std::move(all), writer_signer, out);
  return out;
}

void ChainVerifier::check_all(std::vector<Kept> seals, std::optional<PublicKey>& writer_signer,
                              RunOutcome& out) {
  const std::vector<Kept> in_file_order = seals;  // who names each chain's signer first
  // Chains oldest first (anchors only grow in a file), each chain's seals by what they cover:
  // a seal replayed later in the file counts where it belongs.
  std::stable_sort(seals.begin(), seals.end(), [](const Kept& a, const Kept& b) {
    return std::tie(a.payload.anchor, a.last) < std::tie(b.payload.anchor, b.last);
  });
  const auto try_seal = [&](const Kept& k) {
    const auto signer = signer_for(k, in_file_order, writer_signer);
    auto end = signer ? verify(k, *signer) : std::nullopt;
    if (!end) return false;
    if (!writer_signer) writer_signer = signer;
    emit(k, *signer, *end, out);
    return true;
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
    if (try_seal(newest)) {  // one signature covers the chain
      begin = end;
      continue;
    }
    for (std::size_t i = begin; i < end; ++i) {  // what still verifies, in order of coverage
      const Kept& k = seals[i];
      if (covered(k) || try_seal(k)) continue;
      const auto signer = signer_for(k, in_file_order, writer_signer);
      reject_through(k.last,
                     !signer ? (k.payload.signer ? "a seal is signed by another identity than the "
                                                   "writer's earlier seals"
                                                 : "a seal names no signer, and no earlier seal of "
                                                   "its chain does")
                             : "a seal's signature does not verify (forged, damaged or incomplete "
                               "records)",
                     out);
    }
    begin = end;
  }
}

}  // namespace ftpchat
