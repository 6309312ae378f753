// FreshMerge: a k-way merge of per-writer message streams, in memory or from a sealed spill.
// Spilled entry layout: stamp (8 bytes LE), writer id (16), seq (8 LE), log length (4 LE),
// json length (4 LE), log text, json text. Streams occupy consecutive byte ranges of the spill.
#include "ftpchat/room/fresh_merge.hpp"

#include <algorithm>
#include <queue>

namespace ftpchat {
namespace {

constexpr std::size_t kEntryHead = 8 + 16 + 8 + 4 + 4;
constexpr std::size_t kEntryOverhead = 2 * sizeof(std::uint64_t) + 16 + 2 * sizeof(std::string);
// The merge reads each spilled stream through a buffer of about this size in all, split
// between the streams (but never below kMinChunk each).
constexpr std::size_t kReadBudget = 8 * 1024 * 1024;
constexpr std::size_t kMinChunk = 8 * 1024;
constexpr std::size_t kMaxChunk = 64 * 1024;

void put_le(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint64_t get_le(std::string_view in, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
  return v;
}

}  // namespace

// Walks one stream: its vector when nothing was spilled, else its range of the spill.
class FreshMerge::Cursor {
 public:
  Cursor(std::vector<Entry>* memory, const LogStore* spill, std::uint64_t begin,
         std::uint64_t end, std::size_t chunk)
      : memory_(memory), spill_(spill), pos_(begin), end_(end), chunk_(chunk) {}

  // Loads the next entry into head(); false at the end of the stream (or of what the spill
  // could give back: an unreadable block ends the stream early rather than feeding garbage).
  bool advance() {
    if (memory_ != nullptr) {
      if (next_ >= memory_->size()) return false;
      head_ = std::move((*memory_)[next_++]);
      return true;
    }
    if (!need(kEntryHead)) return false;
    const std::string_view b(buffer_);
    head_.stamp = get_le(b, at_, 8);
    std::copy_n(buffer_.begin() + static_cast<std::ptrdiff_t>(at_ + 8), 16, head_.writer.begin());
    head_.seq = get_le(b, at_ + 24, 8);
    const auto log_len = static_cast<std::size_t>(get_le(b, at_ + 32, 4));
    const auto json_len = static_cast<std::size_t>(get_le(b, at_ + 36, 4));
    if (!need(kEntryHead + log_len + json_len)) return false;
    head_.log.assign(buffer_, at_ + kEntryHead, log_len);
    head_.json.assign(buffer_, at_ + kEntryHead + log_len, json_len);
    at_ += kEntryHead + log_len + json_len;
    return true;
  }
  const Entry& head() const { return head_; }
  Entry& head() { return head_; }

 private:
  // At least n unread bytes in the buffer, reading on from the spill as needed.
  bool need(std::size_t n) {
    while (buffer_.size() - at_ < n) {
      if (pos_ >= end_) return false;
      buffer_.erase(0, at_);
      at_ = 0;
      const std::size_t want = std::max(chunk_, n - buffer_.size());
      const std::string more =
          spill_->read(pos_, static_cast<std::size_t>(std::min<std::uint64_t>(want, end_ - pos_)));
      if (more.empty()) return false;
      pos_ += more.size();
      buffer_ += more;
    }
    return true;
  }

  std::vector<Entry>* memory_;
  std::size_t next_ = 0;
  const LogStore* spill_;
  std::uint64_t pos_;
  std::uint64_t end_;
  std::size_t chunk_;
  std::string buffer_;
  std::size_t at_ = 0;
  Entry head_;
};

FreshMerge::FreshMerge(std::filesystem::path spill_dir, std::size_t memory_limit)
    : spill_dir_(std::move(spill_dir)), memory_limit_(memory_limit) {}

FreshMerge::~FreshMerge() = default;

void FreshMerge::begin_stream() {
  Stream stream;
  if (spill_) stream.spill_begin = stream.spill_end = spill_->size();
  streams_.push_back(std::move(stream));
}

void FreshMerge::add(std::uint64_t stamp, const Id128& writer, std::uint64_t seq,
                     std::string_view log_text, std::string_view json_text) {
  if (streams_.empty()) begin_stream();
  Entry entry{stamp, writer, seq, std::string(log_text), std::string(json_text)};
  ++count_;
  if (spill_) {
    spill_entry(streams_.back(), entry);
    return;
  }
  memory_bytes_ += kEntryOverhead + log_text.size() + json_text.size();
  streams_.back().memory.push_back(std::move(entry));
  if (memory_bytes_ > memory_limit_) spill_all();
}

void FreshMerge::spill_entry(Stream& stream, const Entry& entry) {
  std::string head;
  head.reserve(kEntryHead);
  put_le(head, entry.stamp, 8);
  head.append(reinterpret_cast<const char*>(entry.writer.data()), entry.writer.size());
  put_le(head, entry.seq, 8);
  put_le(head, entry.log.size(), 4);
  put_le(head, entry.json.size(), 4);
  spill_->append(head);
  spill_->append(entry.log);
  spill_->append(entry.json);
  stream.spill_end = spill_->size();
}

void FreshMerge::spill_all() {
  spill_ = std::make_unique<LogStore>(spill_dir_);
  for (Stream& stream : streams_) {
    stream.spill_begin = stream.spill_end = spill_->size();
    for (const Entry& entry : stream.memory) spill_entry(stream, entry);
    std::vector<Entry>().swap(stream.memory);
  }
  memory_bytes_ = 0;
}

void FreshMerge::drain(const std::function<void(std::string_view, std::string_view)>& sink,
                       const Finish& finish, const std::function<void(const Drained&)>& each) {
  const std::size_t chunk = std::clamp(kReadBudget / std::max<std::size_t>(streams_.size(), 1),
                                       kMinChunk, kMaxChunk);
  std::vector<Cursor> cursors;
  cursors.reserve(streams_.size());
  for (Stream& s : streams_)
    cursors.emplace_back(spill_ ? nullptr : &s.memory, spill_.get(), s.spill_begin, s.spill_end,
                         chunk);
  // Smallest (stamp, writer, stream index) first: ties keep stream order.
  const auto later = [&](std::size_t a, std::size_t b) {
    const Entry& x = cursors[a].head();
    const Entry& y = cursors[b].head();
    if (x.stamp != y.stamp) return x.stamp > y.stamp;
    if (x.writer != y.writer) return x.writer > y.writer;
    return a > b;
  };
  std::priority_queue<std::size_t, std::vector<std::size_t>, decltype(later)> heads(later);
  for (std::size_t i = 0; i < cursors.size(); ++i)
    if (cursors[i].advance()) heads.push(i);
  std::string log, json;
  while (!heads.empty()) {
    const std::size_t i = heads.top();
    heads.pop();
    Entry& head = cursors[i].head();
    if (!finish || finish(head.log, head.json)) {
      if (each) each(Drained{head.writer, head.seq, head.log.size(), head.json.size()});
      log += head.log;
      json += head.json;
    }
    if (cursors[i].advance()) heads.push(i);
    if (log.size() + json.size() >= kEmitBytes) {
      sink(log, json);
      log.clear();
      json.clear();
    }
  }
  if (!log.empty() || !json.empty()) sink(log, json);
  streams_.clear();
  spill_.reset();
  memory_bytes_ = 0;
  count_ = 0;
}

}  // namespace ftpchat
