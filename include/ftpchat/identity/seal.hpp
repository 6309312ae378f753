// Runs and seals (docs/FORMAT.md, "Runs, the chain and seals"): a writer signs each run of
// records once, over a BLAKE2b chain of their plaintexts; a reader keeps a file's records
// until a seal covers them and then checks the chain and one signature. No I/O, no clock.
#pragma once

#include <array>
#include <cstdint>
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

constexpr std::size_t kMaxRunRecords = 1024;               // what a writer puts in one run
constexpr std::size_t kMaxRunLineBytes = 1024 * 1024;      // ... and in bytes of lines
constexpr std::size_t kMaxPendingRecords = 4096;           // what a reader keeps unsealed
constexpr std::size_t kMaxPendingBytes = 8 * 1024 * 1024;

ChainValue run_chain_start(const Id128& room_id, const Id128& writer, std::uint64_t first_seq);
ChainValue run_chain_step(const ChainValue& previous, const Id128& epoch,
                          std::string_view plaintext);
// The message the seal's signature covers.
std::string seal_message(const Id128& room_id, const Id128& writer, std::uint64_t first_seq,
                         std::uint64_t last_seq, const ChainValue& end);

struct SealPayload {
  std::uint64_t first_seq = 0;
  PublicKey signer{};
  Signature signature{};
};
std::string encode_seal_payload(const SealPayload& seal);
Result<SealPayload> parse_seal_payload(std::string_view payload);  // bad_data

// One record of a run as its writer made it: epoch id and plaintext.
struct RunEntry {
  Id128 epoch{};
  std::string_view plaintext;
};
// The seal of records first_seq, first_seq + 1, ... (entries in that order).
SealPayload seal_run(const Identity& signer, const Id128& room_id, const Id128& writer,
                     std::uint64_t first_seq, const std::vector<RunEntry>& entries);

struct VerifiedRecord {
  DecodedRecord record;
  PublicKey signer{};
};

struct RunOutcome {
  std::vector<VerifiedRecord> verified;  // in seq order
  std::uint64_t rejected = 0;            // records dropped (bad run, unsealed, over bounds)
  std::string reason;                    // why, when rejected > 0
};

// The reader's side for one writer file.
class RunVerifier {
 public:
  RunVerifier(const Id128& room_id, const Id128& writer) : room_id_(room_id), writer_(writer) {}

  // A decoded v2 record that is not a seal. When the pending run passes the reader's bounds,
  // it is dropped first (the outcome says how many).
  RunOutcome add(DecodedRecord record);
  // A seal record. `writer_signer` is shared by the files of one writer id: the first
  // verified seal fixes it, and a seal by anyone else is rejected.
  RunOutcome seal(const DecodedRecord& seal_record, std::optional<PublicKey>& writer_signer);

  std::size_t pending() const { return pending_.size(); }

 private:
  Id128 room_id_;
  Id128 writer_;
  std::vector<DecodedRecord> pending_;  // arrival order
  std::size_t pending_bytes_ = 0;
};

}  // namespace ftpchat
