// One readable room: fetches new records from every writer file, keeps the rendered
// log, and sends this client's messages through a durable spool (outbox/spool.hpp) that a
// background sender (room/outbox_sender.hpp) uploads to its own writer file.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ftpchat/outbox/spool.hpp"
#include "ftpchat/record/header.hpp"
#include "ftpchat/room/clock_skew.hpp"
#include "ftpchat/room/log_store.hpp"
#include "ftpchat/room/member_room.hpp"
#include "ftpchat/room/receipt_book.hpp"
#include "ftpchat/room/room_context.hpp"
#include "ftpchat/room/seen_tracker.hpp"
#include "ftpchat/room/writer_cursor.hpp"
#include "ftpchat/room/writer_identity.hpp"

namespace ftpchat {

class FreshMerge;

// One of the last messages this mount sent (ROOM/status's "sent N").
struct SentMessage {
  std::uint64_t seq = 0;
  std::int64_t queued_ms = 0;  // wall clock when it was written to outbox
  std::string text;            // the body as the log shows it, cut short with "…"
};

struct RoomCounters {
  std::uint64_t received = 0;      // messages rendered from the server
  std::uint64_t sent = 0;          // messages this mount appended
  std::uint64_t pending = 0;       // messages spooled, not yet known to be on the server
  std::uint64_t rejected = 0;      // records that failed to decode or authenticate
  std::uint64_t duplicates = 0;    // records dropped as already seen
  std::uint64_t missing = 0;       // sequence numbers never seen
  std::uint64_t unreadable = 0;    // member rooms: records of epochs this identity was not given
  std::uint64_t notices = 0;       // notice lines added to the log
  std::uint64_t bytes_fetched = 0;
  std::int64_t last_sync_ms = 0;   // 0: never
  std::string sync_error;          // why the last sync failed; empty once one succeeds
  std::string send_error;          // why the last upload failed; empty once one succeeds
  std::int64_t send_failing_since_ms = 0;  // first failed upload since the last success
  std::uint64_t send_failures = 0;         // failed uploads since the last success
  bool send_unreachable = false;           // the last one could not reach the server
  std::string local_error;         // this machine's state folder cannot be written; empty once it can
  std::string read_only_reason;    // empty: the room is writable
  std::string writer;              // our writer id in hex; empty until we write
  std::vector<ClockSkewWatch::Finding> clocks_off;  // members whose clocks are far off
  std::vector<SentMessage> sent_recent;  // newest last (filled on read)
  std::uint64_t acked = 0;               // the server has our seqs up to this (filled on read)

  // The problem that matters most now: local, then sending, then syncing; empty if none.
  const std::string& last_error() const {
    return !local_error.empty() ? local_error : !send_error.empty() ? send_error : sync_error;
  }
};

class Room {
 public:
  // A member room (header version 2) comes with its MemberRoom; a passphrase room without.
  Room(OpenedRoom opened, std::string folder, RoomContext ctx,
       std::unique_ptr<MemberRoom> member = nullptr);
  ~Room();  // writes what was seen (save_seen)

  const std::string& name() const { return opened_.name; }
  const std::string& folder() const { return folder_; }
  const OpenedRoom& opened() const { return opened_; }
  // Null for a passphrase room.
  const MemberRoom* member() const { return member_.get(); }

  // Member rooms: invite (`who` is the new member's public id), remove or set the role of a
  // member (`who`: a name as the log shows it, or a public id), or rekey; returns once the
  // change is on the server and read back (room_member.cpp).
  Result<void> change_membership(Action action, std::string_view who, Role role = Role::none,
                                 std::string_view name = {});
  // ROOM/members: one line per member (docs/FORMAT.md, "Rendering (version 2)").
  std::string members_text() const;
  // A "-!- text" line in the log (and the daemon's log), e.g. why a ROOM/control line failed.
  void notice_in_log(const std::string& text);

  // The header this room was opened with came from this machine (room/header_cache.hpp): the
  // first sync checks its size in the listing, the second compares it byte for byte with the
  // server's. Before the room is shared.
  void check_header_first();

  // Fetches what is new on the server and appends it to the log.
  Result<void> sync();
  // Syncs finished so far (successful or not), and a wait until there are more than `seen`,
  // for at most `patience`; false when none finished in time.
  std::uint64_t syncs_finished() const { return syncs_finished_.load(); }
  bool wait_sync_after(std::uint64_t seen, std::chrono::milliseconds patience) const;

  // Spools each body as one message (written to the local spool file, not fdatasync'd: it
  // survives a crash of the daemon, not a power loss), shows it in the log at once, wakes the
  // sender and returns the last sequence number given out. Never waits for the network or
  // the disk. too_large (nothing spooled) when a body is over kMaxBodyBytes.
  Result<std::uint64_t> enqueue(const std::vector<std::string>& bodies);
  // One attempt to upload every spooled record in one append, after one fdatasync of the
  // spool (group commit); idempotent after a failure (our own file is re-read first to
  // learn what landed). Used by the background sender.
  Result<void> upload_pending();
  // fdatasync of the spool: every message enqueued so far survives a power loss. Takes
  // out_mu_ only around the bookkeeping, never across the fdatasync.
  Result<void> make_spool_durable();
  // enqueue(), make_spool_durable(), upload_pending(): returns once the server has them (or
  // the upload error; the messages then stay spooled). For tests and synchronous callers.
  Result<void> send(const std::vector<std::string>& bodies);
  // A line written to outbox that could not be spooled and that no caller can be told of
  // any more (the last line without a newline, at release): noticed in the log, the daemon's
  // log and status, so the writer learns that it was not sent.
  void report_unsent_line(const Error& why);
  // Waits until every record up to `seq` is on the server: timeout (with the last upload
  // error) when that does not happen within `timeout`.
  Result<void> wait_uploaded(std::uint64_t seq, std::chrono::milliseconds timeout);
  // True while the sender has something to do here (records pending, or an old spool
  // not looked at yet).
  bool has_outbox_work() const;

  std::uint64_t log_size() const;
  // Up to `length` bytes of ROOM/log from `offset`. Unless `peek`, what it returns counts as
  // seen by the user (room_seen.cpp).
  std::string read_log(std::uint64_t offset, std::size_t length, bool peek = false);
  // When a reader last read the log, or asked its size (tail -f's fstat): the poller polls
  // a room that is being read faster (room/poll_policy.hpp).
  std::chrono::steady_clock::time_point last_log_read() const {
    return std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(last_read_.load()));
  }
  std::chrono::steady_clock::time_point last_log_stat() const {
    return std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(last_stat_.load()));
  }
  // ROOM/log.jsonl: the same messages (no notices) as JSON lines (record/render_json.hpp).
  std::uint64_t jsonl_size() const;
  std::string read_jsonl(std::uint64_t offset, std::size_t length, bool peek = false);
  // Messages of others in the log that no read has returned yet (this session or an earlier
  // one: room/seen_tracker.hpp). Takes only state_mu_: answers at once.
  std::uint64_t unread() const;
  // Writes what was seen to the state folder when it changed, at most every kSeenSaveEvery
  // unless `now`; never while holding a lock that readers take. Called by the poller and at
  // the end; a failure (full disk) is logged once and tried again next time.
  static constexpr std::chrono::seconds kSeenSaveEvery{5};
  void save_seen(bool now = false);
  // Receipts (member rooms with EngineConfig::receipts; room_receipts.cpp, docs/FORMAT.md
  // "Receipts"). What was seen and not yet receipted rides on the next message; else, called
  // now and then (the poller, ftpchat read), this spools a receipt alone once it has been owed
  // for kReceiptGrace, at most every kReceiptEvery (`force`: now, e.g. before ftpchat read
  // exits). Nothing is owed on an idle room: nothing is sent.
  static constexpr std::chrono::seconds kReceiptEvery{10};
  static constexpr std::chrono::seconds kReceiptGrace{2};
  void send_receipt_if_due(std::chrono::steady_clock::time_point now, bool force = false);
  // For ftpchat read --receipts: from now on, others' receipts that move a member's read up
  // to are kept as JSON lines, taken by take_receipt_events().
  void keep_receipt_events();
  std::vector<std::string> take_receipt_events();
  RoomCounters counters() const;
  // ROOM/status: stable "key: value" lines (documented in ftpchatfs(1)).
  std::string status_text() const;

 private:
  enum class Notice { rejected, missing, shrank, rewritten, unreadable };
  struct SyncTally;

  Result<void> sync_locked();                     // requires net_mu_
  // The messages just spooled, for status's "sent N" (room_tracking.cpp); requires state_mu_.
  void note_sent_locked(const std::vector<SpooledRecord>& records,
                        const std::vector<std::string>& bodies);
  static constexpr std::size_t kSentShown = 3;
  // Appends a sync's merged messages to log and log.jsonl, noting them for unread
  // (room_seen.cpp); requires net_mu_.
  // A member room's drain renders (and judges) each message through `finish`.
  void append_fresh(FreshMerge& fresh, const std::function<bool(std::string&, std::string&)>& finish = {});
  // Before the first sync: what earlier sessions saw, and this client's writer ids.
  void load_seen_locked();  // requires net_mu_
  // What a cursor of `writer` decodes with (v1 cipher or member keys); requires net_mu_.
  CursorKeys cursor_keys(const Id128& writer);
  // Member rooms, in room_member.cpp. A verified record into the sync's merge (requires
  // net_mu_); then the records that waited for a key (requires net_mu_); then the drain.
  void take_verified(VerifiedRecord& record, bool own_file, FreshMerge& fresh, SyncTally& tally);
  void finish_member_fetch_locked(bool full, FreshMerge& fresh, SyncTally& tally);
  std::uint64_t drain_member_merge(FreshMerge& fresh, SyncTally& tally);  // messages shown
  // A record of `kind` (membership, receipt) into the spool; returns its seq.
  Result<std::uint64_t> enqueue_v2_record(RecordKind kind, const EpochId& epoch,
                                          const std::string& payload);
  // Receipts (room_receipts.cpp).
  bool receipts_on() const { return member_ && ctx_.config.receipts && receipts_ready_; }
  // What is owed: seen marks above `receipted` (this identity's marks, any device) and above
  // what this mount spooled; requires out_mu_ (takes state_mu_).
  std::vector<ReceiptEntry> receipt_owed_locked(std::map<Id128, std::uint64_t> receipted);
  void note_receipt_spooled_locked(const std::vector<ReceiptEntry>& entries);  // out_mu_
  void note_recent(const Message& m);  // a message of another writer, for receipts; state_mu_
  void rekey_if_needed();
  // How reading a writer file ended.
  enum class FetchEnd { read, failed, restart };
  // Reads a writer file from its cursor on, or with `local` takes those bytes as the ones
  // there (our own acknowledged append). restart: our own file is not what we took it for
  // and must be read again from its start (room_own_file.cpp). Requires net_mu_.
  FetchEnd fetch_writer_file(const std::string& path, WriterCursor& cursor, bool own_file,
                             FreshMerge& fresh, SyncTally& tally,
                             const std::string_view* local = nullptr);
  // The end of a sync, or of taking our own append: the merge drained into the log and the
  // counters added up. Requires net_mu_.
  void drain_locked(FreshMerge& fresh, SyncTally& tally);
  // Our own writer files (room_own_file.cpp): what the server holds is known without reading
  // it back. All require net_mu_.
  // A listing of `dir` ("" or a period) came back: our file missing there is empty.
  void note_own_listing_locked(const std::string& dir, const std::vector<DirEntry>& listing,
                               const Id128& own_id);
  // After a read of our file listed as `entry`: its end is known when the cursor reached it.
  void note_own_read_locked(const std::string& path, const DirEntry& entry,
                            const WriterCursor& cursor, FetchEnd end);
  // After an acknowledged append of `bytes` to our file `path` (in the room folder): the
  // cursor takes them when it stood at the file's known end; else the next sync reads them.
  // `new_writer`: the writer id was made by this session (none of its files can exist yet).
  void take_own_append_locked(const std::string& path, const Id128& writer,
                              std::string_view bytes, bool new_writer);
  // Our file does not hold what we took for it (an append we gave up on landed before one of
  // ours): its cursor starts again from 0; what it accepted stays known, so the records read
  // again are dropped as duplicates. False when the file is not ours or was always read.
  bool restart_own_cursor_locked(const std::string& path, WriterCursor& cursor);
  // Period folders (room_periods.cpp): which to list in this sync, and where to append.
  bool full_sync_due(std::int64_t now_ms) const;                       // requires net_mu_
  void note_listing_locked(const std::vector<DirEntry>& root, std::int64_t now_ms);  // net_mu_
  std::vector<std::string> periods_to_list(bool full, std::int64_t now_ms) const;  // net_mu_
  Result<void> choose_append_period_locked();  // sets own_period_; requires net_mu_
  bool check_header_locked(const std::vector<DirEntry>& listing);  // requires net_mu_
  Result<void> ensure_outbox_locked(bool create);  // requires out_mu_
  void note_own_progress(std::uint64_t server_seq);  // takes out_mu_
  // A notice in the log (and the daemon's log), once per kind and writer file until that
  // file reads cleanly again.
  void add_notice(const std::string& file, Notice kind, const std::string& text);
  void append_notice(const std::string& text);  // always; takes state_mu_
  // A record of another writer seen at sync `sync_number_`: adopted by our clock unless far
  // ahead; its writer's clock noticed once when far off (room/clock_skew.hpp).
  void note_remote_stamp(const Message& msg, bool live);  // requires net_mu_
  // Where our next append goes: chooses the period first; requires net_mu_.
  std::string writer_path(const Id128& writer);
  // Failures and recoveries, kept for ROOM/status; a change of the local error is logged once.
  void note_sync_result(const std::optional<Error>& err);
  void note_send_result(const std::optional<Error>& err);
  void note_local_result_locked(const std::optional<Error>& err);  // requires out_mu_
  // Retries writing the acked file if an earlier write failed (full disk); requires net_mu_.
  void retry_ack_file_locked();
  // Clears the local error of a refused spool append once the disk has room; out_mu_.
  void check_spool_space_locked();
  static constexpr std::uint64_t kSpaceToClear = 256 * 1024;  // bytes free to call it cleared

  const OpenedRoom opened_;
  const std::string folder_;
  RoomContext ctx_;
  const std::unique_ptr<MemberRoom> member_;   // member rooms only
  const std::optional<V1Keys> v1_keys_;        // passphrase rooms only

  // Lock order: net_mu_, then out_mu_, then state_mu_.
  // Network state: held across transport calls; serializes sync and upload.
  std::mutex net_mu_;
  std::map<std::string, WriterCursor> cursors_;  // by path in the room; guarded by net_mu_
  std::map<Id128, SeqSet> writer_seqs_;           // accepted seqs per writer; net_mu_
  std::map<Id128, std::optional<PublicKey>> writer_signers_;  // v2: per writer id; net_mu_
  std::map<std::string, ChainPoint> own_chains_;  // v2: our files' chains as we sealed; net_mu_
  std::chrono::steady_clock::time_point last_rekey_try_{};   // net_mu_
  std::set<std::string> periods_;                 // period folders seen; net_mu_
  std::int64_t last_full_sync_ms_ = 0;            // root listed (wall clock); net_mu_
  std::int64_t newest_period_since_ms_ = 0;       // a newer period appeared; net_mu_
  bool root_writers_active_ = false;  // first-edition files beside the header grew; net_mu_
  std::string own_period_;            // our appends go there; never goes back; net_mu_
  bool periods_refused_ = false;      // the server refused a period folder; net_mu_
  bool synced_once_ = false;        // guarded by net_mu_
  std::atomic<bool> tried_sync_before_send_{false};  // history first, then our first echo
  bool own_file_uncertain_ = false; // an append failed: re-read our file first; net_mu_
  // Our writer files' sizes on the server as far as we know them (the cursor is at that end):
  // a sync does not read them back while a listing says the same; net_mu_.
  std::map<std::string, std::uint64_t> own_known_end_;
  std::set<std::string> own_taken_;  // own files whose cursor took our appends unread; net_mu_
  bool own_append_failed_ = false;   // an append of this session failed; net_mu_
  unsigned syncs_since_header_check_ = 0;  // guarded by net_mu_
  std::map<std::string, std::set<Notice>> noticed_;  // rate limit; guarded by net_mu_
  ClockSkewWatch clocks_;            // guarded by net_mu_
  std::atomic<std::uint64_t> syncs_finished_{0};
  mutable std::mutex sync_wait_mu_;  // only for sync_cv_; never held with another lock
  mutable std::condition_variable sync_cv_;
  std::uint64_t sync_number_ = 0;    // syncs run so far; guarded by net_mu_

  // Outbox state: never held across network I/O or the group commit's fdatasync (only
  // across a compaction of the spool, which fsyncs).
  mutable std::mutex out_mu_;
  std::condition_variable out_cv_;      // acked advanced, or an upload failed
  std::optional<WriterIdentity> own_;   // guarded by out_mu_
  std::optional<Spool> spool_;          // guarded by out_mu_
  bool outbox_checked_ = false;         // looked for an earlier session's spool; out_mu_
  bool seq_from_server_ = false;        // reused id without a spool: ask the server; out_mu_
  bool must_verify_ = false;            // an earlier session's records: re-read first; out_mu_
  std::uint64_t own_server_seq_ = 0;    // last seq seen in our own file; out_mu_
  bool spool_refused_ = false;          // the last spool append failed (full disk); out_mu_
  std::set<std::uint64_t> echoed_;      // own seqs rendered at enqueue, not yet read back

  // Rendered state: taken last, never held across I/O.
  mutable std::mutex state_mu_;
  LogStore log_;            // guarded by state_mu_
  mutable std::atomic<std::chrono::steady_clock::rep> last_read_{0};  // steady clock ticks
  mutable std::atomic<std::chrono::steady_clock::rep> last_stat_{0};
  LogStore jsonl_;          // guarded by state_mu_
  RoomCounters counters_;   // guarded by state_mu_ (pending and writer filled on read)
  SeenTracker seen_;        // guarded by state_mu_
  std::deque<SentMessage> sent_recent_;  // the last kSentShown sent; guarded by state_mu_
  RecentMessages recent_;   // others' last messages, for receipts; guarded by state_mu_
  std::map<Id128, std::uint64_t> receipt_spooled_;  // what this mount receipted; out_mu_
  std::atomic<bool> receipts_ready_{false};  // a sync succeeded: our own receipts are known
  std::mutex receipt_mu_;   // the alone-receipt timing below; a leaf lock
  std::chrono::steady_clock::time_point last_receipt_alone_{};        // receipt_mu_
  std::optional<std::chrono::steady_clock::time_point> receipt_owed_since_;  // receipt_mu_
  std::uint64_t seen_saved_ = 0;  // seen_.changes() last written; guarded by state_mu_

  // Writing the seen file: serializes writers, never taken by readers.
  std::mutex seen_save_mu_;
  std::chrono::steady_clock::time_point seen_saved_at_{};  // guarded by seen_save_mu_
  bool seen_save_failing_ = false;                         // guarded by seen_save_mu_
};

}  // namespace ftpchat
