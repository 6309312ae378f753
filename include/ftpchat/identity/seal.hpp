// Chains and seals (docs/FORMAT.md, "Chains and seals"): a writer's records form a BLAKE2b
// chain per writer file that runs on from upload to upload; each upload ends with a seal that
// signs the chain value of its last record. A reader keeps a file's records until a seal
// covers them, and checks only the newest seal of each chain per piece it reads: one
// signature, whatever the number of uploads. No I/O, no clock.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ftpchat/core/bytes.hpp"
#include "ftpchat/core/error.hpp"
#include "ftpchat/identity/identity.hpp"
#include "ftpchat/record/record.hpp"

namespace ftpchat {

using ChainValue = std::array<std::uint8_t, 32>;

constexpr std::size_t kMaxRunRecords = 1024;               // records between a writer's seals
constexpr std::size_t kMaxRunLineBytes = 1024 * 1024;      // ... and bytes of their lines
constexpr std::size_t kMaxPendingRecords = 4096;           // what a reader keeps unverified
constexpr std::size_t kMaxPendingBytes = 8 * 1024 * 1024;

ChainValue chain_start(const Id128& room_id, const Id128& writer, std::uint64_t anchor);
ChainValue chain_step(const ChainValue& previous, const Id128& epoch, std::string_view plaintext);
// The message a seal's signature covers.
std::string seal_message(const Id128& room_id, const Id128& writer, std::uint64_t anchor,
                         std::uint64_t last_seq, const ChainValue& end);

struct SealPayload {
  std::uint64_t anchor = 0;
  PublicKey signer{};
  Signature signature{};
};
std::string encode_seal_payload(const SealPayload& seal);
Result<SealPayload> parse_seal_payload(std::string_view payload);  // bad_data

// Where a file's chain stands: after record `seq`, in the chain anchored at `anchor`.
struct ChainPoint {
  std::uint64_t anchor = 0;
  std::uint64_t seq = 0;
  ChainValue value{};
};

// One record as its writer made it: epoch id and plaintext.
struct RunEntry {
  Id128 epoch{};
  std::string_view plaintext;
};

// The writer's side: seals records first_seq, first_seq + 1, ... (entries in that order),
// continuing `chain` when it ends right before first_seq, else starting a new chain there.
// `chain` is updated to the last record sealed.
SealPayload seal_records(const Identity& signer, const Id128& room_id, const Id128& writer,
                         std::uint64_t first_seq, const std::vector<RunEntry>& entries,
                         std::optional<ChainPoint>& chain);

struct VerifiedRecord {
  DecodedRecord record;
  PublicKey signer{};
};

struct RunOutcome {
  std::vector<VerifiedRecord> verified;  // in seq order
  std::uint64_t rejected = 0;            // records (and seals) dropped
  std::uint64_t duplicates = 0;          // copies of records already held or verified
  std::string reason;                    // why, when rejected > 0
};

// Decodes a kept seal line when a check needs it (decode_line with the room's keys).
using SealDecoder = std::function<Result<DecodedRecord>(std::string_view line)>;

// The reader's side for one writer file.
class ChainVerifier {
 public:
  ChainVerifier(const Id128& room_id, const Id128& writer) : room_id_(room_id), writer_(writer) {}

  // A decoded v2 record that is not a seal: held until a seal covers it. When the pending
  // records pass the reader's bounds, they are dropped first (the outcome says how many).
  RunOutcome add(DecodedRecord record);
  // A seal's line, kept undecoded: a check decodes only the seals it needs (usually the last).
  void seal_line(std::string line);
  // A decoded seal record: kept for check() (a malformed one is rejected at once).
  RunOutcome seal(const DecodedRecord& seal_record);
  // Checks the seals kept since the last check. First the last one kept: if it covers every
  // pending record up to its seq and verifies, that is all (the usual case: one decryption and
  // one signature). Else every kept seal is decoded and checked chain by chain (anchors
  // ascending), each chain first by its seal that covers the most. `writer_signer` is shared
  // by the files of one writer id: the first verified seal fixes it.
  RunOutcome check(std::optional<PublicKey>& writer_signer, const SealDecoder& decode = {});

  std::size_t pending() const { return pending_.size(); }
  // After the last verified record; nullopt before the first.
  const std::optional<ChainPoint>& chain() const { return chain_; }

 private:
  struct Kept {
    SealPayload payload;
    std::uint64_t last = 0;
  };
  // The chain value at `kept.last`, or nullopt when the pending records cannot give it.
  std::optional<ChainValue> chain_to(const Kept& kept) const;
  // The chain value at `kept.last` when its signature verifies.
  std::optional<ChainValue> verify(const Kept& kept,
                                   const std::optional<PublicKey>& writer_signer) const;
  void emit(const Kept& kept, const ChainValue& end, RunOutcome& out);
  std::optional<Kept> decoded(std::size_t i, const SealDecoder& decode, RunOutcome& out);
  void check_all(std::vector<Kept> seals, std::optional<PublicKey>& writer_signer, RunOutcome& out);
  void reject_through(std::uint64_t last, const std::string& why, RunOutcome& out);

  Id128 room_id_;
  Id128 writer_;
  struct Pending {
    DecodedRecord record;
    std::uint64_t arrival = 0;   // when it came, counting records and seals
  };
  std::map<std::uint64_t, Pending> pending_;        // by seq
  std::uint64_t arrivals_ = 0;                      // records and seals taken so far
  std::size_t pending_bytes_ = 0;
  struct KeptLine {
    std::string line;            // empty when given decoded
    std::optional<Kept> kept;    // once decoded
    std::uint64_t arrival = 0;
  };
  std::vector<KeptLine> seals_;                     // since the last check, in file order
  std::optional<ChainPoint> chain_;
};

}  // namespace ftpchat
