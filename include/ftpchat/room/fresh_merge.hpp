// The new messages of one sync, put in log order without holding them all in memory.
// Each writer file's new messages arrive as one stream, in that writer's order; the log shows
// them merged by (stamp, writer id), ties in stream order, each stream's own order kept.
// A poll's few messages stay in memory; past `memory_limit` rendered bytes (the first sync of
// a large room) they go to a sealed temporary LogStore (no plaintext on disk) and are merged
// back from there, a bounded buffer per stream. Not thread-safe: one sync uses one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ftpchat/core/bytes.hpp"
#include "ftpchat/room/log_store.hpp"

namespace ftpchat {

class FreshMerge {
 public:
  static constexpr std::size_t kDefaultMemoryLimit = 4 * 1024 * 1024;
  // Rendered text handed to drain()'s sink at a time (at least one whole message).
  static constexpr std::size_t kEmitBytes = 256 * 1024;

  explicit FreshMerge(std::filesystem::path spill_dir = {},
                      std::size_t memory_limit = kDefaultMemoryLimit);
  ~FreshMerge();
  FreshMerge(const FreshMerge&) = delete;
  FreshMerge& operator=(const FreshMerge&) = delete;

  // The messages added next belong to a new stream (the next writer file read).
  void begin_stream();
  // One message of the current stream: its order key, its seq (0: none, e.g. not a message),
  // and its two renderings (ROOM/log and ROOM/log.jsonl).
  void add(std::uint64_t stamp, const Id128& writer, std::uint64_t seq, std::string_view log_text,
           std::string_view json_text);

  std::uint64_t count() const { return count_; }
  bool spilled() const { return spill_ != nullptr; }

  // Called for each message in log order before it is handed over: it may rewrite both texts
  // (a member room renders there what it could only judge once the whole sync was read) or
  // return false to leave the message out.
  using Finish = std::function<bool(std::string& log_text, std::string& json_text)>;

  // What drain() tells `each` of one message kept, before the batch that holds it reaches the
  // sink.
  struct Drained {
    const Id128& writer;
    std::uint64_t seq;
    std::size_t log_bytes, json_bytes;  // its share of the batch's texts
  };

  // Hands every message over in log order, as batches of concatenated text, and empties the
  // merge. `sink(log_text, json_text)`; `each`, if given, learns each message of a batch
  // (in order, after `finish`) before the batch goes to the sink.
  void drain(const std::function<void(std::string_view, std::string_view)>& sink,
             const Finish& finish = {}, const std::function<void(const Drained&)>& each = {});

 private:
  struct Entry {
    std::uint64_t stamp = 0;
    Id128 writer{};
    std::uint64_t seq = 0;
    std::string log;
    std::string json;
  };
  struct Stream {
    std::vector<Entry> memory;        // before the spill
    std::uint64_t spill_begin = 0;    // after it: the stream's bytes in spill_
    std::uint64_t spill_end = 0;
  };
  class Cursor;

  void spill_all();
  void spill_entry(Stream& stream, const Entry& entry);

  std::filesystem::path spill_dir_;
  std::size_t memory_limit_;
  std::size_t memory_bytes_ = 0;
  std::uint64_t count_ = 0;
  std::vector<Stream> streams_;
  std::unique_ptr<LogStore> spill_;  // created when memory_limit_ is passed
};

}  // namespace ftpchat
