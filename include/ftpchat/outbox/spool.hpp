// The outbox of one writer of one room, on local disk, with group commit: append() writes
// records to the spool file (the kernel's page cache: they survive a crash or SIGKILL of the
// daemon) without an fdatasync; sync() (or begin_sync/run/end_sync) makes everything appended
// so far durable with one fdatasync. The owner syncs before it uploads anything (a record on
// the server must never be lost from the spool: its seq would be given out again). Records stay
// until the server has them. Never touches the network. Not thread-safe: the owning Room
// guards it (SyncPoint::run and AckPoint::run run without that guard).
//
// Files, in the room's state folder (dirs 0700, files 0600):
//   spool-<writer hex>   append-only, one "<seq> <record line>\n" per message, each batch
//                        written with one write(). A torn last line (a crash mid-write) is
//                        dropped at open; a power loss may also take what was written since
//                        the last fdatasync. Either way those records never left this machine.
//   acked-<writer hex>   "<seq>\n", seq as 20 digits: every record up to seq is known to be on
//                        the server. Overwritten in place (the same 21 bytes, so a full disk
//                        cannot stop it), fdatasync'd before a compaction relies on it.
//                        After a power loss, or while the disk refuses even that, it may say
//                        less than was sent: the owner then re-reads its writer file before
//                        sending again, so nothing is sent twice.
// The spool is rewritten without its acknowledged lines (atomically, durably) once most are
// acked; emptied in place (no space needed) once all are, after an append was refused.
//
// Rule: what the server has counts at once, in memory, whatever the disk says. pending()
// and last_assigned() never wait for a file to be written, so a full disk can delay the
// bookkeeping but never make the owner upload again what the server already has.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <optional>
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
  // Whether the disk of `dir` has at least `bytes` free for this user (statvfs; quotas are
  // not seen): how a refused append learns that space is back.
  static bool has_free_space(const std::filesystem::path& dir, std::uint64_t bytes);
  // Opens (or creates) the spool of `writer` under `dir`.
  static Result<Spool> open(const std::filesystem::path& dir, const Id128& writer);
  // True when `dir` holds a spool of `writer` with records not yet acknowledged.
  static bool has_pending(const std::filesystem::path& dir, const Id128& writer);

  Spool(Spool&& other) noexcept;
  Spool& operator=(Spool&& other) noexcept;
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;
  ~Spool();

  // The spool is compacted once at least this many lines are acked and they outnumber the
  // pending ones: O(1) amortised per message, a few fsyncs per compaction.
  static constexpr std::size_t kCompactAfterAcked = 1024;

  // Appends the records (seqs above last_assigned(), increasing) with one write(), no
  // fdatasync: they survive a crash of this process, not yet a power loss. On failure
  // nothing counts as spooled.
  Result<void> append(const std::vector<SpooledRecord>& records);
  // Records up to `seq` are on the server. In steps, so the owner's lock is free while the
  // file is written: begin_ack (lock) counts them acknowledged at once; AckPoint::run (no
  // lock) writes the acked file; end_ack (lock) notes whether that worked and compacts the
  // spool when most lines are acked (acked file made durable first). Acknowledgements must
  // not overlap (Room: under net_mu_). A failed write is retried by the next acknowledgement,
  // or by begin_ack(acked()) (ack_file_behind() says when that is due).
  Result<void> mark_acked(std::uint64_t seq);
  class AckPoint {
   public:
    Result<void> run() const;  // nothing to do when the file is current

   private:
    friend class Spool;
    std::uint64_t seq_ = 0;
    std::filesystem::path path_;  // empty: nothing to write
  };
  AckPoint begin_ack(std::uint64_t seq);
  // After done.run(), with what it returned: that error, or the compaction's.
  Result<void> end_ack(const AckPoint& done, const Result<void>& written);
  // The acked file says less than acked() (its write failed): retry with begin_ack(acked()).
  bool ack_file_behind() const { return file_acked_ < acked_; }

  // Group commit: one fdatasync covering every record appended before begin_sync(), run
  // without the owner's lock held (append() may go on meanwhile):
  //   point = begin_sync();  point->run();  end_sync(*point);
  class SyncPoint {
   public:
    SyncPoint(SyncPoint&& other) noexcept;
    SyncPoint& operator=(SyncPoint&& other) noexcept;
    SyncPoint(const SyncPoint&) = delete;
    SyncPoint& operator=(const SyncPoint&) = delete;
    ~SyncPoint();
    Result<void> run() const;  // fdatasync
    std::uint64_t through() const { return through_; }

   private:
    friend class Spool;
    SyncPoint(int fd, std::uint64_t through, std::string path)
        : fd_(fd), through_(through), path_(std::move(path)) {}
    int fd_ = -1;  // a dup of the spool's descriptor: stays valid if compaction replaces it
    std::uint64_t through_ = 0;
    std::string path_;
  };
  // nullopt when every appended record is durable already.
  Result<std::optional<SyncPoint>> begin_sync() const;
  void end_sync(const SyncPoint& done);  // after done.run() succeeded
  Result<void> sync();                   // all three, holding the owner's lock throughout
  // Every record up to this seq is durable in the spool (or was acked).
  std::uint64_t durable_through() const { return std::max(durable_, acked_); }

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
  std::uint64_t acked_ = 0;       // in memory: what the server has (rule above)
  std::uint64_t file_acked_ = 0;  // what the acked file says
  std::size_t compact_after_ = kCompactAfterAcked;  // acked lines before the next try
  bool append_refused_ = false;  // the last append failed: empty the file once all is acked
  std::uint64_t durable_ = 0;  // records up to here are fdatasync'd
  bool fresh_ = false;
  std::uint64_t torn_dropped_ = 0;
};

// Writes `data` to `path` atomically and durably: tmp file, fsync, rename, fsync(dir).
Result<void> write_file_atomically(const std::filesystem::path& path, std::string_view data);

}  // namespace ftpchat
