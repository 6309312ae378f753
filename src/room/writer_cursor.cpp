// WriterCursor: turns the bytes of one writer file into accepted messages.
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
  IngestResult out;
  offset_ += bytes.size();
  tail_ += bytes.substr(bytes.size() > kOverlapBytes ? bytes.size() - kOverlapBytes : 0);
  if (tail_.size() > kOverlapBytes) tail_.erase(0, tail_.size() - kOverlapBytes);
  for (const std::string& line : lines_.feed(bytes)) {
    auto decoded = decode_record(cipher, room_id, writer_, line);
    if (!decoded) {
      ++out.rejected;
      continue;
    }
    Message& msg = decoded.value();
    // A writer's later file starts where its earlier one ended, which may not be read yet:
    // gaps count within a file, and from seq 1 only in the first file read of a writer.
    const bool counts_gap = last_seq_ > 0 || writer_seqs == nullptr || writer_seqs->highest() == 0;
    if (msg.seq <= last_seq_ || (writer_seqs && !writer_seqs->insert(msg.seq))) {
      ++out.duplicates;
      continue;
    }
    if (counts_gap && msg.seq > last_seq_ + 1) out.missing += msg.seq - last_seq_ - 1;
    last_seq_ = msg.seq;
    out.accepted.push_back(std::move(msg));
  }
  return out;
}

}  // namespace ftpchat
