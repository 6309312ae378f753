// Reading rules for one writer file of a room: where the next fetch starts, which
// sequence number comes next, and what to do with each line (docs/FORMAT.md, "Reading").
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <optional>
#include <set>

#include "ftpchat/cipher/record_cipher.hpp"
#include "ftpchat/core/bytes.hpp"
#include "ftpchat/identity/seal.hpp"
#include "ftpchat/record/record.hpp"

namespace ftpchat {

// What one batch of fetched bytes produced.
struct IngestResult {
  std::vector<Message> accepted;     // v1: new messages in this writer's send order
  std::vector<VerifiedRecord> verified;  // v2: new records a seal verified, in seq order
  std::uint64_t rejected = 0;        // lines that failed to decode, authenticate or verify
  std::uint64_t duplicates = 0;      // records whose sequence number was already accepted
  std::uint64_t missing = 0;         // sequence numbers skipped (records deleted or lost)
  std::uint64_t unreadable = 0;      // v2: records of epochs this identity was not given
  std::string reason;                // v2: why records were rejected (the last reason seen)
};

// The sequence numbers accepted from one writer over all of its files (one per period), as
// ranges: a record copied into another of the writer's files is still a duplicate, while a
// lower seq that arrives late from an older file (read after a newer one) is not.
class SeqSet {
 public:
  // False when `seq` was already there.
  bool insert(std::uint64_t seq);
  bool contains(std::uint64_t seq) const;
  std::uint64_t highest() const { return ranges_.empty() ? 0 : ranges_.rbegin()->second; }
  std::size_t ranges() const { return ranges_.size(); }

 private:
  std::map<std::uint64_t, std::uint64_t> ranges_;  // first -> last, disjoint, not adjacent
};

// What a cursor decodes with, and the state it shares with the writer's other files.
struct CursorKeys {
  const RecordKeys& keys;
  Id128 room_id{};
  SeqSet* writer_seqs = nullptr;                       // accepted seqs over the writer's files
  std::optional<PublicKey>* writer_signer = nullptr;   // v2: fixed by the writer's first seal
  const std::set<Id128>* unreadable = nullptr;         // v2: epochs this identity cannot open
};

class WriterCursor {
 public:
  // Lines held back for a key, at most this many bytes (then counted as unreadable).
  static constexpr std::size_t kMaxAwaitingBytes = 8 * 1024 * 1024;

  explicit WriterCursor(const Id128& writer) : writer_(writer) {}

  // Bytes re-fetched before offset() and compared with the end of what was consumed, so a
  // file rewritten on the server (its prefix changed) is noticed instead of misread.
  static constexpr std::size_t kOverlapBytes = 64;

  const Id128& writer() const { return writer_; }
  std::uint64_t offset() const { return offset_; }          // bytes consumed so far
  std::uint64_t last_seq() const { return last_seq_; }      // highest accepted sequence
  const std::string& tail() const { return tail_; }         // last consumed bytes (<= overlap)
  // A file found truncated or rewritten is frozen: never read again during this mount, so
  // the log already shown never changes.
  bool frozen() const { return frozen_; }
  void freeze() { frozen_ = true; }

  // Feeds bytes fetched at offset() and advances it. Rules, in order, per complete line:
  //  1. a line that does not decode under this room and writer is rejected and skipped;
  //  2. seq <= last_seq (of this file) is a duplicate (a retried append or a replay), and so
  //     is a seq already in `writer_seqs` (accepted from another file of the writer): dropped;
  //  3. seq > last_seq + 1 is accepted, and the gap is counted as missing (for the first
  //     record of a file only when no other file of the writer was read: it may continue
  //     one not read yet);
  //  4. otherwise the record is accepted.
  // Version 2 adds (docs/FORMAT.md, "Chains and seals"): records wait for a seal that covers
  // them and count once it verifies. Seals are checked by finish() at the end of each fetch,
  // by retry(), and by ingest() once about 1,024 records wait (ChainVerifier::check_due): one
  // signature per chain and check, however many uploads the fetch brought. A line of an epoch
  // without a key waits (with every later line of the file, to keep their order) until
  // retry(), or is unreadable.
  IngestResult ingest(std::string_view bytes, const CursorKeys& keys);
  // The end of a fetch: checks the seals kept (v2; nothing for v1).
  IngestResult finish(const CursorKeys& keys);
  // A passphrase room's records (v1 only).
  IngestResult ingest(std::string_view bytes, const RecordCipher& cipher, const Id128& room_id,
                      SeqSet* writer_seqs = nullptr);
  // Decodes again the lines that waited for a key, in order, after new keys arrived.
  IngestResult retry(const CursorKeys& keys);
  // The epochs the waiting lines need (read from the lines, without keys).
  std::set<Id128> awaited_epochs() const;
  bool awaiting() const { return !awaiting_.empty(); }
  // v2: where the file's chain stands after its last verified record (a writer continues it).
  std::optional<ChainPoint> chain() const { return runs_ ? runs_->chain() : std::nullopt; }

 private:
  void take_line(std::string line, const CursorKeys& keys, IngestResult& out);
  void take_outcome(RunOutcome run, SeqSet* writer_seqs, IngestResult& out);
  void check_seals(const CursorKeys& keys, IngestResult& out);
  void accept(Message msg, SeqSet* writer_seqs, IngestResult& out, VerifiedRecord* verified);

  Id128 writer_;
  std::uint64_t offset_ = 0;
  std::uint64_t last_seq_ = 0;
  std::string tail_;
  bool frozen_ = false;
  LineSplitter lines_;
  std::optional<ChainVerifier> runs_;     // v2, made at the first v2 record
  std::vector<std::string> awaiting_;     // v2 lines waiting for a key, in file order
  std::size_t awaiting_bytes_ = 0;
};

}  // namespace ftpchat
