// SeenTracker (see include/ftpchat/room/seen_tracker.hpp).
#include "ftpchat/room/seen_tracker.hpp"

#include <algorithm>

namespace ftpchat {

namespace {

// The queue's consumed front is cut off once it is this large and over half of it.
constexpr std::size_t kCompactAt = 64 * 1024;

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

std::uint64_t get_varint(const std::string& in, std::size_t& at) {
  std::uint64_t v = 0;
  for (int shift = 0; at < in.size(); shift += 7) {
    const auto byte = static_cast<unsigned char>(in[at++]);
    v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
  }
  return v;
}

}  // namespace

void SeenTracker::restore(const Watermarks& seen) {
  for (const auto& [writer, seq] : seen) {
    std::uint64_t& mine = seen_[writer];
    mine = std::max(mine, seq);
  }
}

std::uint32_t SeenTracker::writer_index(const Id128& writer) {
  auto [it, added] = writer_index_.try_emplace(writer, static_cast<std::uint32_t>(writers_.size()));
  if (added) writers_.push_back(writer);
  return it->second;
}

void SeenTracker::add(const Id128& writer, std::uint64_t seq, std::uint64_t log_end,
                      std::uint64_t json_end) {
  if (is_own(writer)) return;
  if (auto it = seen_.find(writer); it != seen_.end() && seq <= it->second) return;
  if (count_ == 0) {  // the deltas start from the previous entry's ends, or from the read ends
    queue_.clear();
    head_ = 0;
    head_log_ = tail_log_ = std::min(log_read_, log_end);
    head_json_ = tail_json_ = std::min(json_read_, json_end);
  }
  put_varint(queue_, log_end - std::min(tail_log_, log_end));
  put_varint(queue_, json_end - std::min(tail_json_, json_end));
  put_varint(queue_, writer_index(writer));
  put_varint(queue_, seq);
  tail_log_ = std::max(tail_log_, log_end);
  tail_json_ = std::max(tail_json_, json_end);
  ++count_;
}

SeenTracker::Entry SeenTracker::peek() const {
  Entry e;
  std::size_t at = head_;
  e.log_end = head_log_ + get_varint(queue_, at);
  e.json_end = head_json_ + get_varint(queue_, at);
  e.writer = static_cast<std::uint32_t>(get_varint(queue_, at));
  e.seq = get_varint(queue_, at);
  e.next = at;
  return e;
}

void SeenTracker::note_seen(const Id128& writer, std::uint64_t seq) {
  std::uint64_t& mine = seen_[writer];
  if (seq <= mine) return;
  mine = seq;
  ++changes_;
}

void SeenTracker::pop_seen() {
  while (count_ > 0) {
    const Entry e = peek();
    if (e.log_end > log_read_ && e.json_end > json_read_) break;
    note_seen(writers_[e.writer], e.seq);
    head_ = e.next;
    head_log_ = e.log_end;
    head_json_ = e.json_end;
    --count_;
  }
  if (count_ == 0) {
    queue_.clear();
    head_ = 0;
  } else if (head_ >= kCompactAt && head_ * 2 >= queue_.size()) {
    queue_.erase(0, head_);
    head_ = 0;
  }
}

void SeenTracker::read_log_to(std::uint64_t end) {
  if (end <= log_read_) return;
  log_read_ = end;
  pop_seen();
}

void SeenTracker::read_jsonl_to(std::uint64_t end) {
  if (end <= json_read_) return;
  json_read_ = end;
  pop_seen();
}

}  // namespace ftpchat
