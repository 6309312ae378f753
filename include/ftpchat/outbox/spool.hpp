// The durable outbox of one writer of one room: records are on local disk (fdatasync'd)
// before a write to ROOM/outbox returns, and stay there until the server has them.
// Never touches the network. Not thread-safe: the owning Room guards it.
//
// Files, in the room's state folder (dirs 0700, files 0600):
//   spool-<writer hex>   append-only, one "<seq> <record line>\n" per message, each batch
//                        written with one write() then fdatasync. A torn last line (a crash
//                        mid-write, never acknowledged to the writer) is dropped at open.
//   acked-<writer hex>   "<seq>\n": every record up to seq is known to be on the server.
//                        Replaced atomically (tmp + rename + fsync).
// The spool is rewritten without its acknowledged lines (atomically) once most are acked.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "ftpchat/core/bytes.hpp"
#include "ftpchat/core/error.hpp"

namespace ftpchat {

struct SpooledRecord {
  std::uint64_t seq = 0;
  std::string line;  // the encoded record (docs/FORMAT.md), without framing newlines
};

class Spool {
 public:
  // Opens (or creates) the spool of `writer` under `dir`.
  static Result<Spool> open(const std::filesystem::path& dir, const Id128& writer);
  // True when `dir` holds a spool of `writer` with records not yet acknowledged.
  static bool has_pending(const std::filesystem::path& dir, const Id128& writer);

  Spool(Spool&& other) noexcept;
  Spool& operator=(Spool&& other) noexcept;
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;
  ~Spool();

  // Appends the records (seqs above last_assigned(), increasing) durably: one write(),
  // then fdatasync. On failure nothing counts as spooled.
  Result<void> append(const std::vector<SpooledRecord>& records);
  // Records up to `seq` are on the server. Compacts the spool when most lines are acked.
  Result<void> mark_acked(std::uint64_t seq);

  std::vector<SpooledRecord> pending() const;  // seq > acked(), in order
  std::size_t pending_count() const;
  std::uint64_t acked() const { return acked_; }
  std::uint64_t last_assigned() const;   // highest seq ever spooled (or acked)
  bool fresh() const { return fresh_; }  // neither file existed before open()
  std::uint64_t torn_bytes_dropped() const { return torn_dropped_; }
  std::size_t lines_in_file() const { return records_.size(); }

 private:
  Spool() = default;
  Result<void> load();
  Result<void> compact();
  void close_fd();

  std::filesystem::path dir_;
  std::filesystem::path spool_path_;
  std::filesystem::path acked_path_;
  int fd_ = -1;                         // spool file, O_APPEND
  std::vector<SpooledRecord> records_;  // every line in the file, in order
  std::uint64_t acked_ = 0;
  bool fresh_ = false;
  std::uint64_t torn_dropped_ = 0;
};

// Writes `data` to `path` atomically and durably: tmp file, fsync, rename, fsync(dir).
Result<void> write_file_atomically(const std::filesystem::path& path, std::string_view data);

}  // namespace ftpchat
