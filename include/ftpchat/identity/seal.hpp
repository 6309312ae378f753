// Chains and seals (docs/FORMAT.md, "Chains and seals"): a writer's records form a BLAKE2b
// chain per writer file that runs on from upload to upload; the last record of each upload
// carries a seal that signs the chain value of that record (the first seal of a chain names
// the signer, later ones do not). A reader keeps a file's records until a seal covers them,
// and checks only the newest seal of each chain per piece it reads: one signature, whatever
// the number of uploads. No I/O, no clock.
#pragma once

#include <array>
#include <cstdint>
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
// While a fetch goes on, a reader checks the seals once this much waits (FORMAT.md, "Checking
// seals"): records, their bytes, or seals kept.
constexpr std::size_t kCheckPendingRecords = 1024;
constexpr std::size_t kCheckPendingBytes = 1024 * 1024;

ChainValue chain_start(const Id128& room_id, const Id128& writer, std::uint64_t anchor);
ChainValue chain_step(const ChainValue& previous, const Id128& epoch, std::string_view content);
// The message a seal's signature covers.
std::string seal_message(const Id128& room_id, const Id128& writer, std::uint64_t anchor,
                         std::uint64_t last_seq, const ChainValue& end);

// A seal as a record carries it (its seq is the record's).
struct SealPayload {
  std::uint64_t anchor = 0;
  std::optional<PublicKey> signer;  // named by the first seal of a chain only
  Signature signature{};
};
// kSealNamedBytes or kSealBytes (record.hpp), the form byte last.
std::string encode_seal(const SealPayload& seal);
Result<SealPayload> parse_seal(std::string_view seal);  // bad_data

// Where a file's chain stands: after record `seq`, in the chain anchored at `anchor`.
struct ChainPoint {
  std::uint64_t anchor = 0;
  std::uint64_t seq = 0;
  ChainValue value{};
};

// One record as its writer made it: epoch id and content.
struct RunEntry {
  Id128 epoch{};
  std::string_view content;
};

// The writer's side: seals records first_seq, first_seq + 1, ... (entries in that order),
// continuing `chain` when it ends right before first_seq, else starting a new chain there
// (and then naming the signer). `chain` is updated to the last record sealed.
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

// The reader's side for one writer file.
class ChainVerifier {
 public:
  ChainVerifier(const Id128& room_id, const Id128& writer) : room_id_(room_id), writer_(writer) {}

  // A decoded v2 record: held until a seal covers it; the seal it carries, if any, is kept
  // for check() (a malformed one is rejected at once, with its record). When the pending
  // records pass the reader's bounds, they are dropped first (the outcome says how many).
  RunOutcome add(DecodedRecord record);
  // Checks the seals kept since the last check. First the last one kept: if it covers every
  // pending record up to its seq and verifies, that is all (the usual case: one signature).
  // Else every kept seal is checked chain by chain (anchors ascending), each chain first by
  // its seal that covers the most. `writer_signer` is shared by the files of one writer id:
  // the first verified seal fixes it; before that, a chain's signer is the one its first
  // seal in file order names (FORMAT.md, "The signer").
  RunOutcome check(std::optional<PublicKey>& writer_signer);

  std::size_t pending() const { return pending_.size(); }
  // Whether enough waits that a reader in the middle of a fetch should check() now.
  bool check_due() const {
    return pending_.size() >= kCheckPendingRecords || pending_bytes_ >= kCheckPendingBytes ||
           seals_.size() >= kCheckPendingRecords;
  }
  // After the last verified record; nullopt before the first.
  const std::optional<ChainPoint>& chain() const { return chain_; }

 private:
  struct Kept {
    SealPayload payload;
    std::uint64_t last = 0;      // the seq of the record that carries it
    std::uint64_t arrival = 0;   // its record's
  };
  // The chain value at `kept.last`, or nullopt when the pending records cannot give it.
  std::optional<ChainValue> chain_to(const Kept& kept) const;
  // The chain value at `kept.last` when its signature verifies under `signer`.
  std::optional<ChainValue> verify(const Kept& kept, const PublicKey& signer) const;
  void emit(const Kept& kept, const PublicKey& signer, const ChainValue& end, RunOutcome& out);
  void check_all(std::vector<Kept> seals, std::optional<PublicKey>& writer_signer, RunOutcome& out);
  void reject_through(std::uint64_t last, const std::string& why, RunOutcome& out);

  Id128 room_id_;
  Id128 writer_;
  struct Pending {
    DecodedRecord record;
    std::uint64_t arrival = 0;   // when it came, counting records and seals
  };
  std::map<std::uint64_t, Pending> pending_;        // by seq
  std::uint64_t arrivals_ = 0;                      // records taken so far
  std::size_t pending_bytes_ = 0;
  std::vector<Kept> seals_;                         // since the last check, in file order
  std::optional<ChainPoint> chain_;
};

}  // namespace ftpchat
