// Reading rules for one writer file of a room: where the next fetch starts, which
// sequence number comes next, and what to do with each line (docs/FORMAT.md, "Reading").
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ftpchat/cipher/record_cipher.hpp"
#include "ftpchat/core/bytes.hpp"
#include "ftpchat/record/record.hpp"

namespace ftpchat {

// What one batch of fetched bytes produced.
struct IngestResult {
  std::vector<Message> accepted;     // new messages in this writer's send order
  std::uint64_t rejected = 0;        // lines that failed to decode or authenticate
  std::uint64_t duplicates = 0;      // records whose sequence number was already accepted
  std::uint64_t missing = 0;         // sequence numbers skipped (records deleted or lost)
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

class WriterCursor {
 public:
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
  IngestResult ingest(std::string_view bytes, const RecordCipher& cipher, const Id128& room_id,
                      SeqSet* writer_seqs = nullptr);

 private:
  Id128 writer_;
  std::uint64_t offset_ = 0;
  std::uint64_t last_seq_ = 0;
  std::string tail_;
  bool frozen_ = false;
  LineSplitter lines_;
};

}  // namespace ftpchat
