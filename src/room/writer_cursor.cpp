// WriterCursor: turns the bytes of one writer file into accepted messages (v1) or verified
// records (v2).
#include "ftpchat/room/writer_cursor.hpp"

#include <iterator>

namespace ftpchat {

bool SeqSet::contains(std::uint64_t seq) const {
  auto it = ranges_.upper_bound(seq);
  if (it == ranges_.begin()) return false;
  --it;
  return seq <= it->second;
}

bool SeqSet::insert(std::uint64_t seq) {
  if (contains(seq)) return false;
  auto next = ranges_.upper_bound(seq);
  const bool joins_next = next != ranges_.end() && next->first == seq + 1;
  if (next != ranges_.begin()) {
    auto prev = std::prev(next);
    if (prev->second + 1 == seq) {  // extends the range before it
      prev->second = joins_next ? next->second : seq;
      if (joins_next) ranges_.erase(next);
      return true;
    }
  }
  const std::uint64_t last = joins_next ? next->second : seq;
  if (joins_next) ranges_.erase(next);
  ranges_.emplace(seq, last);
  return true;
}

IngestResult WriterCursor::ingest(std::string_view bytes, const RecordCipher& cipher,
                                  const Id128& room_id, SeqSet* writer_seqs) {
  const V1Keys keys(cipher);
  return ingest(bytes, CursorKeys{keys, room_id, writer_seqs});
}

IngestResult WriterCursor::ingest(std::string_view bytes, const CursorKeys& keys) {
  IngestResult out;
  offset_ += bytes.size();
  tail_ += bytes.substr(bytes.size() > kOverlapBytes ? bytes.size() - kOverlapBytes : 0);
  if (tail_.size() > kOverlapBytes) tail_.erase(0, tail_.size() - kOverlapBytes);
  for (std::string& line : lines_.feed(bytes)) {
    take_line(std::move(line), keys, out);
    if (runs_ && runs_->check_due()) check_seals(keys, out);
  }
  return out;
}

IngestResult WriterCursor::finish(const CursorKeys& keys) {
  IngestResult out;
  check_seals(keys, out);
  return out;
}

IngestResult WriterCursor::retry(const CursorKeys& keys) {
  IngestResult out;
  std::vector<std::string> lines = std::move(awaiting_);
  awaiting_.clear();
  awaiting_bytes_ = 0;
  for (std::string& line : lines) take_line(std::move(line), keys, out);
  check_seals(keys, out);
  return out;
}

void WriterCursor::check_seals(const CursorKeys& keys, IngestResult& out) {
  if (!runs_) return;
  std::optional<PublicKey> own_signer;
  take_outcome(runs_->check(keys.writer_signer ? *keys.writer_signer : own_signer),
               keys.writer_seqs, out);
}

void WriterCursor::take_outcome(RunOutcome run, SeqSet* writer_seqs, IngestResult& out) {
  out.rejected += run.rejected;
  out.duplicates += run.duplicates;
  if (!run.reason.empty()) out.reason = run.reason;
  for (VerifiedRecord& v : run.verified) accept(Message{}, writer_seqs, out, &v);
}

std::set<Id128> WriterCursor::awaited_epochs() const {
  std::set<Id128> out;
  for (const std::string& line : awaiting_)
    if (auto epoch = record_epoch(line)) out.insert(*epoch);
  return out;
}

// Rules, in order, per complete line (writer_cursor.hpp).
void WriterCursor::take_line(std::string line, const CursorKeys& keys, IngestResult& out) {
  if (!awaiting_.empty()) {  // keep the file's order behind a line that waits
    if (awaiting_bytes_ + line.size() > kMaxAwaitingBytes) {
      out.unreadable += awaiting_.size() + 1;
      awaiting_.clear();
      awaiting_bytes_ = 0;
      return;
    }
    awaiting_bytes_ += line.size();
    awaiting_.push_back(std::move(line));
    return;
  }
  auto decoded = decode_line(keys.keys, keys.room_id, writer_, line);
  if (!decoded) {
    if (decoded.error().code != Errc::not_found) {
      ++out.rejected;
      return;
    }
    const auto epoch = record_epoch(line);
    if (epoch && keys.unreadable != nullptr && keys.unreadable->count(*epoch)) {
      ++out.unreadable;
      return;
    }
    awaiting_bytes_ = line.size();
    awaiting_.push_back(std::move(line));
    return;
  }
  if (decoded->version == kFormatVersion) {
    accept(std::move(decoded->message), keys.writer_seqs, out, nullptr);
    return;
  }
  if (!runs_) runs_.emplace(keys.room_id, writer_);
  take_outcome(runs_->add(std::move(*decoded)), keys.writer_seqs, out);
}

// 2-4 of the reading rules: duplicates dropped, gaps counted, the rest accepted.
void WriterCursor::accept(Message msg, SeqSet* writer_seqs, IngestResult& out,
                          VerifiedRecord* verified) {
  if (verified != nullptr) msg.seq = verified->record.message.seq;  // v2: the record keeps the rest
  // A writer's later file starts where its earlier one ended, which may not be read yet:
  // gaps count within a file, and from seq 1 only in the first file read of a writer.
  const bool counts_gap = last_seq_ > 0 || writer_seqs == nullptr || writer_seqs->highest() == 0;
  if (msg.seq <= last_seq_ || (writer_seqs && !writer_seqs->insert(msg.seq))) {
    ++out.duplicates;
    return;
  }
  if (counts_gap && msg.seq > last_seq_ + 1) out.missing += msg.seq - last_seq_ - 1;
  last_seq_ = msg.seq;
  if (verified != nullptr)
    out.verified.push_back(std::move(*verified));
  else
    out.accepted.push_back(std::move(msg));
}

}  // namespace ftpchat
