// Room, our own writer files: a client never downloads its own records back.
// Rules:
//  1. a file's end is known when a listing showed its size and its cursor stood there (read up
//     to it, or already there), or when a listing of its folder showed no such file (0), or
//     when the writer id is new this session and no append of ours failed (no file yet: 0);
//  2. after an acknowledged append of n bytes at the known end, the cursor takes those bytes
//     as if it had read them (same rules, same merge: an echo is dropped, a membership record
//     of ours is judged) and the known end moves by n; the ciphertext cache gets them too;
//  3. a sync does not read the file while a listing says the size we know (as for any file
//     whose size equals its cursor's offset);
//  4. anything else reads it as before: an append that failed (its outcome is unknown: the end
//     is forgotten, and rule 4 of room_sender.cpp re-reads the file before the next send), a
//     size that differs, a new mount (cursors start at 0);
//  5. an append we gave up on can still land later, before one of ours (a "ghost"): then the
//     bytes after the known end are not the ones the cursor took. Where the cursor took
//     appends unread, a file found rewritten or shorter is read again from its start instead
//     of being frozen; the seqs it accepted stay known, so every record read again is dropped
//     as a duplicate and the log does not change.
#include "ftpchat/room/fresh_merge.hpp"
#include "ftpchat/room/room.hpp"
#include "ftpchat/room/room_layout.hpp"
#include "sync_tally.hpp"

namespace ftpchat {

void Room::note_own_listing_locked(const std::string& dir, const std::vector<DirEntry>& listing,
                                   const Id128& own_id) {
  const std::string name = layout::writer_file(own_id);
  for (const DirEntry& e : listing)
    if (!e.is_dir && e.name == name) return;  // there: its size is compared in the sync
  const std::string path = dir.empty() ? name : layout::join(dir, name);
  const auto cursor = cursors_.find(path);
  if (cursor == cursors_.end() || cursor->second.offset() == 0) own_known_end_[path] = 0;
}

void Room::note_own_read_locked(const std::string& path, const DirEntry& entry,
                                const WriterCursor& cursor, FetchEnd end) {
  const bool at_end =
      end == FetchEnd::read && !cursor.frozen() && (!entry.size || *entry.size == cursor.offset());
  if (at_end)
    own_known_end_[path] = cursor.offset();
  else
    own_known_end_.erase(path);
}

void Room::take_own_append_locked(const std::string& path, const Id128& writer,
                                  std::string_view bytes, bool new_writer) {
  auto cursor = cursors_.find(path);
  if (new_writer && !own_append_failed_ && cursor == cursors_.end())
    own_known_end_.try_emplace(path, 0);
  const auto known = own_known_end_.find(path);
  const std::uint64_t at = cursor == cursors_.end() ? 0 : cursor->second.offset();
  if (known == own_known_end_.end() || known->second != at ||
      (cursor != cursors_.end() && cursor->second.frozen())) {
    own_known_end_.erase(path);  // rule 4: the next sync reads it
    return;
  }
  if (cursor == cursors_.end()) cursor = cursors_.try_emplace(path, writer).first;
  FreshMerge fresh;
  SyncTally tally;
  (void)fetch_writer_file(path, cursor->second, true, fresh, tally, &bytes);
  known->second = cursor->second.offset();
  own_taken_.insert(path);
  drain_locked(fresh, tally);
  if (ctx_.cache) ctx_.cache->extend(layout::join(folder_, path), at, bytes);
}

bool Room::restart_own_cursor_locked(const std::string& path, WriterCursor& cursor) {
  if (!own_taken_.erase(path)) return false;
  ctx_.log.info("room " + folder_ + ": our file " + path +
                " holds more than our own appends (one given up on landed late); reading it "
                "again from its start");
  cursor = WriterCursor(cursor.writer());
  own_known_end_.erase(path);
  return true;
}

}  // namespace ftpchat
