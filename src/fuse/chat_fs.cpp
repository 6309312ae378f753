// FUSE operations for the tree:
//   /                 rooms (mkdir creates one, rmdir is refused)
//   /.unread          rooms with unread messages, "COUNT NAME" lines, read-only; not
//                     listed, so that every entry of the root is a room (scripts iterate it)
//   /ROOM/log         the decrypted conversation, read-only, always growing
//   /ROOM/outbox      write lines here to send them
//   /ROOM/status      the room's sync state, "key: value" lines, read-only
//   /ROOM/log.jsonl   the same messages as log, as JSON lines; read-only, always growing
//   /ROOM/members     member rooms: the member list, read-only (synced and rendered at open)
//   /ROOM/control     member rooms: write-only; each line a membership command (control_file.hpp)
// Rules:
//  1. log and outbox use direct_io and attr_timeout 0, so every read and every fstat
//     (tail -f, less +F) reaches us and sees the log grow; nothing stale sits in the
//     kernel's page cache.
//  2. opening log syncs the room first (through the poller, waiting at most 2 s: a server
//     that stops answering gets the log as this mount has it); the poller keeps it current.
//  2a. a write to outbox returns once its lines are in the spool file (page cache, no
//     fdatasync); fsync makes the spool durable first. With -o sync_send, flush/fsync wait
//     (up to send_timeout) until the server has every line written through that handle.
//  2b. status is rendered when opened and served from that snapshot (direct_io); so is
//      members, after a sync; and /.unread (no network, no sync: it answers at once, for
//      shell prompts).
//  2d. a line written to control runs when it is complete (a last line without newline at
//      close), blocking the write until the change is on the server; a failure is the write's
//      errno and a notice in log.
//  2e. a read of log or log.jsonl marks what it returns as seen by the user (and everything
//      before it: room/seen_tracker.hpp), except through a descriptor with O_NOATIME (given
//      to open, or set later with fcntl F_SETFL: each read carries the flags): it peeks, as
//      it leaves a file's access time alone.
//  2c. with -o sync_read, a read at or past the end of log (or log.jsonl) syncs the room
//     with the server before answering, so `cat log` never misses what is already there.
//  3. no exception leaves a callback: errors are negative errno values.
//  4. any other name in a room folder is a scratch file (editors' swap and backup files),
//     kept in memory by this mount only (scratch_files.hpp), listed with the room's files.
//     log, log.jsonl and status cannot be created (EEXIST with O_EXCL, else EACCES),
//     renamed or removed; outbox cannot be removed. Renaming a scratch file onto outbox
//     sends its lines as writing them to outbox would, and the scratch file is gone;
//     renaming outbox to a name leaves outbox in place and makes an empty scratch file.
#include "chat_fs.hpp"

#include <fcntl.h>
#include <linux/fs.h>  // RENAME_NOREPLACE, RENAME_EXCHANGE
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "control_file.hpp"
#include "errno_map.hpp"
#include "fs_tree.hpp"
#include "ftpchat/room/chat_engine.hpp"
#include "ftpchat/room/outbox_lines.hpp"

namespace ftpchat {
namespace {

std::time_t outbox_mtime() {
  static const std::time_t since_mount = std::time(nullptr);
  return since_mount;
}

using namespace fs;

// What an open file handle carries (fi->fh).
struct OpenFile {
  std::shared_ptr<Room> room;
  bool outbox = false;
  bool status = false;
  bool members = false;     // ROOM/members: snapshot as of open
  bool control = false;     // ROOM/control: lines are membership commands
  bool jsonl = false;       // log.jsonl: reads come from the room's JSON lines
  bool unread = false;      // /.unread: the snapshot
  std::string scratch;      // key of a scratch file (rule 4); empty otherwise
  std::string snapshot;     // status, members or /.unread text as of open
  std::mutex mu;            // guards lines and last_seq: writes may come from several threads
  OutboxLines lines;
  std::uint64_t last_seq = 0;  // highest sequence number spooled through this handle
};

OpenFile* handle(const fuse_file_info* fi) { return reinterpret_cast<OpenFile*>(fi->fh); }

// Spools the lines (returns once they are in the spool file) and notes their last seq.
Result<void> send_lines(OpenFile& file, std::vector<std::string> lines) {
  if (lines.empty()) return {};
  auto queued = file.room->enqueue(lines);
  if (!queued) return queued.error();
  std::lock_guard lock(file.mu);
  file.last_seq = std::max(file.last_seq, queued.value());
  return {};
}

void* fs_init(fuse_conn_info* /*conn*/, fuse_config* cfg) {
  cfg->attr_timeout = 0;      // rule 1: sizes are always fresh
  cfg->entry_timeout = 1;
  cfg->negative_timeout = 0;  // a room created elsewhere shows up at once
  cfg->hard_remove = 1;
  auto* eng = static_cast<ChatEngine*>(fuse_get_context()->private_data);
  eng->start_poller();        // after daemonizing: threads do not survive fork
  return new MountState{*eng, ScratchFiles()};
}

void fs_destroy(void* data) {
  auto* mount = static_cast<MountState*>(data);
  mount->engine.stop_poller();
  delete mount;
}

int fs_getattr(const char* path, struct stat* st, fuse_file_info* /*fi*/) {
  Target t;
  if (int rc = resolve(path, t); rc != 0) return rc;
  std::memset(st, 0, sizeof *st);
  st->st_uid = getuid();
  st->st_gid = getgid();
  st->st_mtime = st->st_atime = st->st_ctime = std::time(nullptr);
  switch (t.node) {
    case Node::root:
    case Node::room:
      st->st_mode = S_IFDIR | 0700;
      st->st_nlink = 2;
      break;
    case Node::log:
      st->st_mode = S_IFREG | 0400;
      st->st_nlink = 1;
      st->st_size = static_cast<off_t>(t.room.room->log_size());
      break;
    case Node::jsonl:
      st->st_mode = S_IFREG | 0400;
      st->st_nlink = 1;
      st->st_size = static_cast<off_t>(t.room.room->jsonl_size());
      break;
    case Node::status:
      st->st_mode = S_IFREG | 0400;
      st->st_nlink = 1;
      st->st_size = static_cast<off_t>(t.room.room->status_text().size());
      break;
    case Node::unread:
      st->st_mode = S_IFREG | 0400;
      st->st_nlink = 1;
      st->st_size = static_cast<off_t>(engine().unread_summary().size());
      break;
    case Node::members:
      st->st_mode = S_IFREG | 0400;
      st->st_nlink = 1;
      st->st_size = static_cast<off_t>(t.room.room->members_text().size());
      break;
    case Node::control:
    case Node::outbox:
      st->st_mode = S_IFREG | 0200;
      st->st_nlink = 1;
      // A constant mtime: editors (nano) refuse to save over a file that "changed on disk".
      st->st_mtime = st->st_ctime = outbox_mtime();
      break;
    case Node::scratch: {
      const auto info = scratch().stat(t.key);
      if (!info) return -ENOENT;
      st->st_mode = S_IFREG | info->mode;
      st->st_nlink = 1;
      st->st_size = static_cast<off_t>(info->size);
      st->st_mtime = st->st_ctime = info->mtime;
      break;
    }
  }
  return 0;
}

int fs_readdir(const char* path, void* buf, fuse_fill_dir_t fill, off_t /*off*/,
               fuse_file_info* /*fi*/, fuse_readdir_flags /*flags*/) {
  Target t;
  if (int rc = resolve(path, t); rc != 0) return rc;
  fill(buf, ".", nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
  fill(buf, "..", nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
  if (t.node == Node::root) {
    for (const RoomEntry& entry : engine().rooms())
      fill(buf, entry.name.c_str(), nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
    return 0;
  }
  if (t.node != Node::room) return -ENOTDIR;
  if (!t.room.room) return -EACCES;
  fill(buf, std::string(kLog).c_str(), nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
  fill(buf, std::string(kOutbox).c_str(), nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
  fill(buf, std::string(kStatus).c_str(), nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
  fill(buf, std::string(kJsonl).c_str(), nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
  if (t.room.room->member()) {
    fill(buf, std::string(kMembers).c_str(), nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
    fill(buf, std::string(kControl).c_str(), nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
  }
  const std::string_view room_name = std::string_view(path).substr(1);
  for (const std::string& name : scratch().list(room_name))
    fill(buf, name.c_str(), nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
  return 0;
}

int fs_opendir(const char* path, fuse_file_info* /*fi*/) {
  Target t;
  if (int rc = resolve(path, t); rc != 0) return rc;
  if (t.node == Node::room && !t.room.room) return -EACCES;
  return t.node == Node::root || t.node == Node::room ? 0 : -ENOTDIR;
}

int fs_open(const char* path, fuse_file_info* fi) {
  Target t;
  if (int rc = resolve(path, t); rc != 0) return rc;
  const int mode = fi->flags & O_ACCMODE;
  if (t.node == Node::log || t.node == Node::jsonl) {
    if (mode != O_RDONLY) return -EACCES;
    engine().sync_soon(t.room.room);  // rule 2; a silent server gets 2 s, then the log as is
  } else if (t.node == Node::status || t.node == Node::unread) {
    if (mode != O_RDONLY) return -EACCES;
  } else if (t.node == Node::members) {
    if (mode != O_RDONLY) return -EACCES;
    engine().sync_soon(t.room.room);  // as log: at most 2 s, then the list as last known
  } else if (t.node == Node::control) {
    if (mode == O_RDONLY) return -EACCES;
  } else if (t.node != Node::outbox && t.node != Node::scratch) {
    return -EISDIR;
  }
  auto file = std::make_unique<OpenFile>();
  if (t.node == Node::scratch) file->scratch = t.key;
  file->room = t.room.room;
  file->outbox = t.node == Node::outbox;
  file->status = t.node == Node::status;
  file->jsonl = t.node == Node::jsonl;
  file->members = t.node == Node::members;
  file->control = t.node == Node::control;
  file->unread = t.node == Node::unread;
  if (file->status) file->snapshot = t.room.room->status_text();
  if (file->members) file->snapshot = t.room.room->members_text();
  if (file->unread) file->snapshot = engine().unread_summary();
  fi->direct_io = 1;
  fi->nonseekable = 0;
  fi->fh = reinterpret_cast<uint64_t>(file.release());
  return 0;
}

int fs_read(const char* /*path*/, char* buf, size_t size, off_t off, fuse_file_info* fi) {
  OpenFile* file = handle(fi);
  if (!file->scratch.empty()) return static_cast<int>(scratch().read(file->scratch, buf, size, off));
  if (file->outbox || off < 0) return 0;
  if (file->status || file->members || file->unread) {
    const auto start = std::min<std::size_t>(static_cast<std::size_t>(off), file->snapshot.size());
    const std::size_t n = std::min(size, file->snapshot.size() - start);
    std::memcpy(buf, file->snapshot.data() + start, n);
    return static_cast<int>(n);
  }
  if (engine().config().sync_read) {  // rule 2c; offline: answer with what we have
    const std::uint64_t size_now = file->jsonl ? file->room->jsonl_size() : file->room->log_size();
    if (static_cast<std::uint64_t>(off) >= size_now) (void)file->room->sync();
  }
  const bool peek = (fi->flags & O_NOATIME) != 0;  // rule 2e
  const std::string data = file->jsonl
                               ? file->room->read_jsonl(static_cast<std::uint64_t>(off), size, peek)
                               : file->room->read_log(static_cast<std::uint64_t>(off), size, peek);
  std::memcpy(buf, data.data(), data.size());
  return static_cast<int>(data.size());
}

int fs_write(const char* /*path*/, const char* buf, size_t size, off_t off,
             fuse_file_info* fi) {
  OpenFile* file = handle(fi);
  if (!file->scratch.empty()) return static_cast<int>(scratch().write(file->scratch, buf, size, off));
  if (!file->outbox && !file->control) return -EBADF;
  std::vector<std::string> lines;
  {
    std::lock_guard lock(file->mu);
    lines = file->lines.feed(std::string_view(buf, size));
  }
  if (file->control) {  // rule 2d
    for (const std::string& line : lines)
      if (int rc = run_control_line(*file->room, line); rc != 0) return rc;
    return static_cast<int>(size);
  }
  if (auto sent = send_lines(*file, std::move(lines)); !sent) return -to_errno(sent.error().code);
  return static_cast<int>(size);
}

// Rule 2a: with -o sync_send, waits until the server has every message up to `seq`.
int wait_if_sync_send(Room& room, std::uint64_t seq) {
  const EngineConfig& config = engine().config();
  if (!config.sync_send) return 0;
  auto sent = room.wait_uploaded(seq, config.send_timeout);
  return sent ? 0 : -to_errno(sent.error().code);
}

// close() of any descriptor of the handle: a final line without newline is spooled now,
// as any other line. When that fails, close() says so and the line stays with the handle,
// to be tried again at the next close or at release (fs_release).
Result<void> send_rest(OpenFile& file) {
  std::optional<std::string> rest;
  {
    std::lock_guard lock(file.mu);
    rest = file.lines.finish();
  }
  if (!rest) return {};
  auto sent = send_lines(file, {*rest});
  if (!sent) {
    std::lock_guard lock(file.mu);
    (void)file.lines.feed(*rest);  // no newline in it: it is the pending rest again
  }
  return sent;
}

// Rule 2d: control's last line without a newline runs at close.
int run_control_rest(OpenFile& file) {
  std::optional<std::string> rest;
  {
    std::lock_guard lock(file.mu);
    rest = file.lines.finish();
  }
  return rest ? run_control_line(*file.room, *rest) : 0;
}

int fs_flush(const char* /*path*/, fuse_file_info* fi) {
  OpenFile* file = handle(fi);
  if (file->control) return run_control_rest(*file);
  if (!file->outbox) return 0;
  if (auto sent = send_rest(*file); !sent) return -to_errno(sent.error().code);
  std::uint64_t last_seq;
  {
    std::lock_guard lock(file->mu);
    last_seq = file->last_seq;
  }
  return last_seq == 0 ? 0 : wait_if_sync_send(*file->room, last_seq);
}

// The last chance for a final line whose spooling failed at close(): nobody can be told
// through a return value any more, so a failure is told where the room is read.
int fs_release(const char* /*path*/, fuse_file_info* fi) {
  OpenFile* file = handle(fi);
  if (file->outbox)
    if (auto sent = send_rest(*file); !sent)  // flush ran already; no second wait
      file->room->report_unsent_line(sent.error());
  if (file->control) (void)run_control_rest(*file);
  delete file;
  return 0;
}

// Rule 2a: fsync(2) and fdatasync(2) alike make the spool durable, then act as close() does.
int fs_fsync(const char* path, int /*datasync*/, fuse_file_info* fi) {
  OpenFile* file = handle(fi);
  if (!file->outbox) return 0;
  if (auto sent = send_rest(*file); !sent) return -to_errno(sent.error().code);
  auto durable = file->room->make_spool_durable();
  return durable ? fs_flush(path, fi) : -to_errno(durable.error().code);
}

// `echo > outbox` truncates first; the outbox is always empty, so that is a no-op.
int fs_truncate(const char* path, off_t size, fuse_file_info* /*fi*/) {
  Target t;
  if (int rc = resolve(path, t); rc != 0) return rc;
  if (t.node == Node::scratch) return scratch().truncate(t.key, size);
  return t.node == Node::outbox || t.node == Node::control ? 0 : -EACCES;
}

int fs_utimens(const char* path, const timespec* tv, fuse_file_info* /*fi*/) {
  Target t;
  if (int rc = resolve(path, t); rc != 0) return rc;
  if (t.node != Node::scratch) return 0;
  const bool now = tv == nullptr || tv[1].tv_nsec == UTIME_NOW;
  if (tv != nullptr && tv[1].tv_nsec == UTIME_OMIT) return 0;
  return scratch().touch(t.key, now ? std::time(nullptr) : tv[1].tv_sec);
}

// Editors copy the original's mode onto what they write; outbox keeps its own.
int fs_chmod(const char* path, mode_t mode, fuse_file_info* /*fi*/) {
  Target t;
  if (int rc = resolve(path, t); rc != 0) return rc;
  if (t.node == Node::scratch) return scratch().chmod(t.key, mode);
  return t.node == Node::outbox || t.node == Node::control ? 0 : -EPERM;
}

int fs_create(const char* path, mode_t mode, fuse_file_info* fi) {
  Target t;
  const int rc = resolve(path, t);
  const bool exclusive = (fi->flags & O_EXCL) != 0;
  if (rc == -ENOENT && t.node == Node::scratch) {
    if (int made = scratch().create(t.key, mode, exclusive); made != 0) return made;
  } else if (rc != 0) {
    return t.node == Node::root ? -EACCES : rc;
  } else if (exclusive) {
    return -EEXIST;
  } else if (t.node != Node::outbox && t.node != Node::control && t.node != Node::scratch) {
    return t.node == Node::room || t.node == Node::root ? -EISDIR : -EACCES;
  }
  return fs_open(path, fi);
}

int fs_unlink(const char* path) {
  Target t;
  if (int rc = resolve(path, t); rc != 0) return rc;
  return t.node == Node::scratch ? scratch().unlink(t.key) : -EPERM;
}

// Rule 4. Only scratch files move; outbox can be the source (it stays) or the target.
int fs_rename(const char* from, const char* to, unsigned int flags) {
  Target src, dst;
  if (int rc = resolve(from, src); rc != 0) return rc;
  if (src.node == Node::root || src.node == Node::room) return -EPERM;  // rooms stay put
  const int dst_rc = resolve(to, dst);
  if (dst_rc != 0 && !(dst_rc == -ENOENT && dst.node == Node::scratch)) return dst_rc;
  if (flags & RENAME_EXCHANGE) return -EINVAL;
  if ((flags & RENAME_NOREPLACE) && dst_rc == 0) return -EEXIST;
  if (dst.node == Node::outbox && src.node == Node::scratch) {
    auto content = scratch().take(src.key);
    if (!content) return -ENOENT;
    OutboxLines lines;
    std::vector<std::string> bodies = lines.feed(*content);
    if (auto rest = lines.finish()) bodies.push_back(std::move(*rest));
    if (bodies.empty()) return 0;
    auto queued = dst.room.room->enqueue(bodies);
    if (!queued) return -to_errno(queued.error().code);
    return wait_if_sync_send(*dst.room.room, queued.value());  // as close() of outbox does
  }
  if (dst.node != Node::scratch) return -EPERM;
  if (src.node == Node::scratch) return scratch().rename(src.key, dst.key);
  if (src.node != Node::outbox) return -EPERM;
  if (dst_rc == 0) (void)scratch().unlink(dst.key);
  return scratch().create(dst.key, 0600, true);
}

int fs_mkdir(const char* path, mode_t /*mode*/) {
  std::string_view p(path);
  p.remove_prefix(1);
  if (p.empty() || p.find('/') != std::string_view::npos) return -EPERM;
  if (p == kRootFileName) return -EEXIST;
  auto created = engine().create_room(p);
  return created ? 0 : -to_errno(created.error().code);
}

int fs_refuse(const char* /*path*/) { return -EPERM; }

int fs_statfs(const char* /*path*/, struct statvfs* st) {
  std::memset(st, 0, sizeof *st);
  st->f_bsize = st->f_frsize = 4096;
  st->f_namemax = 255;
  return 0;
}

fuse_operations make_operations() {
  fuse_operations ops{};
  ops.init = fs_init;
  ops.destroy = fs_destroy;
  ops.getattr = fs_getattr;
  ops.readdir = fs_readdir;
  ops.opendir = fs_opendir;
  ops.open = fs_open;
  ops.read = fs_read;
  ops.write = fs_write;
  ops.flush = fs_flush;
  ops.release = fs_release;
  ops.fsync = fs_fsync;
  ops.truncate = fs_truncate;
  ops.utimens = fs_utimens;
  ops.mkdir = fs_mkdir;
  ops.rmdir = fs_refuse;
  ops.unlink = fs_unlink;
  ops.rename = fs_rename;
  ops.chmod = fs_chmod;
  ops.create = fs_create;
  ops.statfs = fs_statfs;
  return ops;
}

}  // namespace

const fuse_operations& chat_fs_operations() {
  static const fuse_operations ops = make_operations();
  return ops;
}

}  // namespace ftpchat
