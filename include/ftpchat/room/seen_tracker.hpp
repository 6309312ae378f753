// What this client's user has seen of one room, and so how many messages are unread
// (docs/DESIGN.md, "Seen and unread"). Seen is a watermark per writer: the highest seq whose
// message a read of ROOM/log or ROOM/log.jsonl returned, with every message above it in the
// log (a read marks everything up to where it ends, as a chat client's read marker does).
// Unread are the messages of other writers above their watermark. Pure: no I/O, no clock, no
// lock (the Room guards it with state_mu_); messages not yet seen cost a few bytes each
// (delta-coded), so a first mount of a million-message room stays within a few MB.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "ftpchat/core/bytes.hpp"

namespace ftpchat {

class SeenTracker {
 public:
  using Watermarks = std::map<Id128, std::uint64_t>;  // writer id -> highest seq seen

  // Before the first message: what earlier sessions saw (the state folder's seen file).
  void restore(const Watermarks& seen);
  // This client's writer ids (of every session): their messages are its own, never unread.
  void add_own(const Id128& writer) { own_.insert(writer); }
  bool is_own(const Id128& writer) const { return own_.count(writer) > 0; }

  // A message now at the end of the log: its line ends at byte `log_end` of ROOM/log and at
  // `json_end` of ROOM/log.jsonl. Messages are added in log order.
  void add(const Id128& writer, std::uint64_t seq, std::uint64_t log_end, std::uint64_t json_end);
  // A read returned the bytes before `end` of ROOM/log (ROOM/log.jsonl): every message whose
  // line ends at or before `end` is seen.
  void read_log_to(std::uint64_t end);
  void read_jsonl_to(std::uint64_t end);

  std::uint64_t unread() const { return count_; }
  const Watermarks& seen() const { return seen_; }
  // Grows with every change of seen(): a saver compares it with what it last wrote.
  std::uint64_t changes() const { return changes_; }
  std::size_t queued_bytes() const { return queue_.size() - head_; }

 private:
  struct Entry {
    std::uint64_t log_end = 0, json_end = 0, seq = 0;
    std::uint32_t writer = 0;
    std::size_t next = 0;  // queue offset after the entry
  };
  Entry peek() const;  // the oldest unseen message; requires count_ > 0
  void pop_seen();     // drops every unseen message the reads so far cover
  void note_seen(const Id128& writer, std::uint64_t seq);
  std::uint32_t writer_index(const Id128& writer);

  Watermarks seen_;
  std::set<Id128> own_;
  std::uint64_t changes_ = 0;
  std::uint64_t log_read_ = 0, json_read_ = 0;  // furthest end any read returned
  // Unseen messages of others in log order: varints of (log_end delta, json_end delta,
  // writer index, seq), deltas from the entry before (the first from head_*).
  std::string queue_;
  std::size_t head_ = 0;                        // offset of the oldest entry in queue_
  std::uint64_t count_ = 0;                     // entries from head_ on
  std::uint64_t head_log_ = 0, head_json_ = 0;  // ends of the entry before head_
  std::uint64_t tail_log_ = 0, tail_json_ = 0;  // ends of the newest entry
  std::vector<Id128> writers_;
  std::map<Id128, std::uint32_t> writer_index_;
};

}  // namespace ftpchat
