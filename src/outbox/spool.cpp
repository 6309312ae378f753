// Spool: the durable outbox files of one writer (see include/ftpchat/outbox/spool.hpp).
#include "ftpchat/outbox/spool.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>
#include <utility>

namespace ftpchat {

namespace fs = std::filesystem;

namespace {

Error io_error(const std::string& what, const fs::path& path) {
  return os_error(what + " " + path.string(), errno);
}

Result<std::string> read_whole(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return make_error(Errc::not_found, path.string());
    return io_error("cannot open", path);
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return io_error("cannot read", path);
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

std::string spool_name(const Id128& writer) { return "spool-" + to_hex(writer); }

// The acked file's one line: always the same 21 bytes, so it is overwritten in place.
std::string acked_text(std::uint64_t seq) {
  std::string digits = std::to_string(seq);
  return std::string(20 - digits.size(), '0') + digits + "\n";
}

// Overwrites the acked file in place: no new blocks, so it works on a full disk (unless the
// file is new, or from a version that wrote it shorter). `durable`: fdatasync it too.
Result<void> write_acked(const fs::path& path, std::uint64_t seq, bool durable) {
  const std::string text = acked_text(seq);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return os_error("cannot open " + path.string(), errno);
  std::size_t done = 0;
  int err = 0;
  while (done < text.size() && err == 0) {
    const ssize_t n = ::pwrite(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) err = n < 0 ? errno : EIO;
    else done += static_cast<std::size_t>(n);
  }
  struct stat st {};
  if (err == 0 && ::fstat(fd, &st) == 0 && st.st_size > static_cast<off_t>(text.size()) &&
      ::ftruncate(fd, static_cast<off_t>(text.size())) != 0)
    err = errno;
  if (err == 0 && durable && ::fdatasync(fd) != 0) err = errno;
  ::close(fd);
  if (err != 0) return os_error("cannot write " + path.string(), err);
  return {};
}

std::string acked_name(const Id128& writer) { return "acked-" + to_hex(writer); }

std::string encode_lines(const std::vector<SpooledRecord>& records) {
  std::string out;
  for (const SpooledRecord& r : records) out += std::to_string(r.seq) + " " + r.line + "\n";
  return out;
}

// records are in seq order: those above `seq` are their tail.
std::vector<SpooledRecord>::const_iterator first_above(const std::vector<SpooledRecord>& records,
                                                       std::uint64_t seq) {
  return std::partition_point(records.begin(), records.end(),
                              [&](const SpooledRecord& r) { return r.seq <= seq; });
}

}  // namespace

// tmp file, fsync, rename, fsync of the folder. A failed attempt leaves no tmp file behind
// (on a full disk it would hold on to the space it got).
Result<void> write_file_atomically(const fs::path& path, std::string_view data) {
  const fs::path tmp = path.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot create", tmp);
  const bool ok = write_all(fd, data) && ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const Error failed = os_error((ok ? "cannot rename onto " : "cannot write ") +
                                      (ok ? path : tmp).string(),
                                  ok ? errno : err);
    ::unlink(tmp.c_str());
    return failed;
  }
  int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    (void)::fsync(dir);
    ::close(dir);
  }
  return {};
}

bool Spool::has_free_space(const fs::path& dir, std::uint64_t bytes) {
  struct statvfs st {};
  return ::statvfs(dir.c_str(), &st) == 0 &&
         static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize >= bytes;
}

bool Spool::has_pending(const fs::path& dir, const Id128& writer) {
  auto spool = read_whole(dir / spool_name(writer));
  if (!spool || spool->empty()) return false;
  std::uint64_t acked = 0;
  if (auto a = read_whole(dir / acked_name(writer)); a && !a->empty() && a->back() == '\n')
    acked = parse_u64(std::string_view(*a).substr(0, a->size() - 1)).value_or(0);
  std::string_view rest(spool.value());
  for (auto nl = rest.find('\n'); nl != std::string_view::npos; nl = rest.find('\n')) {
    std::string_view line = rest.substr(0, nl);
    if (auto seq = parse_u64(line.substr(0, line.find(' '))); seq && *seq > acked) return true;
    rest.remove_prefix(nl + 1);
  }
  return false;
}

Result<Spool> Spool::open(const fs::path& dir, const Id128& writer) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return make_error(Errc::io, "cannot create state folder " + dir.string() + ": " + ec.message());
  fs::permissions(dir, fs::perms::owner_all, ec);
  Spool s;
  s.dir_ = dir;
  s.spool_path_ = dir / spool_name(writer);
  s.acked_path_ = dir / acked_name(writer);
  if (auto loaded = s.load(); !loaded) return loaded.error();
  return s;
}

// Reads both files. A spool line that is not "<seq> <record>\n" with seq above the line
// before it ends the valid part: it can only be the torn tail of a write cut by a crash.
Result<void> Spool::load() {
  bool spool_existed = true, acked_existed = true;
  auto acked = read_whole(acked_path_);
  if (!acked) {
    if (acked.error().code != Errc::not_found) return acked.error();
    acked_existed = false;
  } else {
    std::string_view text(acked.value());
    if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    acked_ = parse_u64(text).value_or(0);  // empty after a power loss at worst: 0 is safe
    file_acked_ = acked_;
  }
  auto text = read_whole(spool_path_);
  if (!text) {
    if (text.error().code != Errc::not_found) return text.error();
    spool_existed = false;
  }
  fresh_ = !spool_existed && !acked_existed;
  std::size_t valid = 0;
  if (spool_existed) {
    std::string_view rest(text.value());
    std::uint64_t prev = 0;
    while (!rest.empty()) {
      const auto nl = rest.find('\n');
      if (nl == std::string_view::npos) break;
      std::string_view line = rest.substr(0, nl);
      const auto sp = line.find(' ');
      auto seq = sp == std::string_view::npos ? std::nullopt : parse_u64(line.substr(0, sp));
      if (!seq || *seq <= prev || sp + 1 >= line.size()) break;
      records_.push_back(SpooledRecord{*seq, std::string(line.substr(sp + 1))});
      prev = *seq;
      valid += nl + 1;
      rest.remove_prefix(nl + 1);
    }
    torn_dropped_ = text->size() - valid;
  }
  fd_ = ::open(spool_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) return io_error("cannot open", spool_path_);
  if (torn_dropped_ > 0) {
    if (::ftruncate(fd_, static_cast<off_t>(valid)) != 0 || ::fdatasync(fd_) != 0)
      return io_error("cannot repair", spool_path_);
    durable_ = records_.empty() ? 0 : records_.back().seq;
  }
  // Otherwise what we read may sit only in the page cache (the last session was killed
  // before its group commit): durable_ stays 0 and the first upload syncs it.
  if (fresh_) {  // a new writer: its acked file says "nothing sent" from the start
    if (auto w = write_file_atomically(acked_path_, acked_text(0)); !w) return w;
  }
  return {};
}

Spool::Spool(Spool&& other) noexcept
    : dir_(std::move(other.dir_)),
      spool_path_(std::move(other.spool_path_)),
      acked_path_(std::move(other.acked_path_)),
      fd_(std::exchange(other.fd_, -1)),
      records_(std::move(other.records_)),
      acked_(other.acked_),
      file_acked_(other.file_acked_),
      compact_after_(other.compact_after_),
      append_refused_(other.append_refused_),
      durable_(other.durable_),
      fresh_(other.fresh_),
      torn_dropped_(other.torn_dropped_) {}

Spool& Spool::operator=(Spool&& other) noexcept {
  if (this != &other) {
    close_fd();
    dir_ = std::move(other.dir_);
    spool_path_ = std::move(other.spool_path_);
    acked_path_ = std::move(other.acked_path_);
    fd_ = std::exchange(other.fd_, -1);
    records_ = std::move(other.records_);
    acked_ = other.acked_;
    file_acked_ = other.file_acked_;
    compact_after_ = other.compact_after_;
    append_refused_ = other.append_refused_;
    durable_ = other.durable_;
    fresh_ = other.fresh_;
    torn_dropped_ = other.torn_dropped_;
  }
  return *this;
}

Spool::~Spool() { close_fd(); }

void Spool::close_fd() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::uint64_t Spool::last_assigned() const {
  return records_.empty() ? acked_ : std::max(acked_, records_.back().seq);
}

Result<void> Spool::append(const std::vector<SpooledRecord>& records) {
  if (records.empty()) return {};
  std::uint64_t prev = last_assigned();
  for (const SpooledRecord& r : records) {
    if (r.seq <= prev) return make_error(Errc::internal, "spool sequence numbers must grow");
    prev = r.seq;
  }
  const std::string data = encode_lines(records);
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return io_error("cannot stat", spool_path_);
  if (!write_all(fd_, data)) {
    const int err = errno;
    // Take back a partial write so the next append starts on a line boundary.
    (void)::ftruncate(fd_, st.st_size);
    append_refused_ = true;
    return os_error("cannot write " + spool_path_.string(), err);
  }
  append_refused_ = false;
  records_.insert(records_.end(), records.begin(), records.end());
  return {};
}

Spool::SyncPoint::SyncPoint(SyncPoint&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), through_(other.through_), path_(std::move(other.path_)) {}

Spool::SyncPoint& Spool::SyncPoint::operator=(SyncPoint&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    through_ = other.through_;
    path_ = std::move(other.path_);
  }
  return *this;
}

Spool::SyncPoint::~SyncPoint() {
  if (fd_ >= 0) ::close(fd_);
}

Result<void> Spool::SyncPoint::run() const {
  if (::fdatasync(fd_) != 0) return io_error("cannot sync", path_);
  return {};
}

Result<std::optional<Spool::SyncPoint>> Spool::begin_sync() const {
  if (records_.empty() || records_.back().seq <= durable_through())
    return std::optional<SyncPoint>();
  const int fd = ::fcntl(fd_, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return io_error("cannot sync", spool_path_);
  return std::optional<SyncPoint>(SyncPoint(fd, records_.back().seq, spool_path_.string()));
}

void Spool::end_sync(const SyncPoint& done) { durable_ = std::max(durable_, done.through()); }

Result<void> Spool::sync() {
  auto point = begin_sync();
  if (!point) return point.error();
  if (!point->has_value()) return {};
  if (auto synced = (*point)->run(); !synced) return synced;
  end_sync(**point);
  return {};
}

// Rules: an acknowledgement counts in memory at once (header); the acked file follows,
// overwritten in place without fsync (a stale value after a power loss only makes the next
// session re-read its writer file), except before a compaction drops the lines it covers:
// then it is made durable first, or seqs could be given out again. A compaction that fails
// (it needs space for a new spool file) is tried again after as many more acked lines.
Result<void> Spool::mark_acked(std::uint64_t seq) {
  const AckPoint point = begin_ack(seq);
  return end_ack(point, point.run());
}

Spool::AckPoint Spool::begin_ack(std::uint64_t seq) {
  acked_ = std::max(acked_, std::min(seq, last_assigned()));
  AckPoint point;
  point.seq_ = acked_;
  if (file_acked_ < acked_) point.path_ = acked_path_;
  return point;
}

Result<void> Spool::AckPoint::run() const {
  return path_.empty() ? Result<void>() : write_acked(path_, seq_, false);
}

Result<void> Spool::end_ack(const AckPoint& done, const Result<void>& written) {
  if (!written) return written;
  file_acked_ = std::max(file_acked_, done.seq_);
  const auto acked_lines =
      static_cast<std::size_t>(first_above(records_, file_acked_) - records_.begin());
  // A spool that filled the disk is emptied as soon as everything in it is acked (that
  // needs no space): otherwise it would refuse every new message until 1,024 were acked.
  const bool all_acked = acked_lines > 0 && acked_lines == records_.size();
  const bool make_room = append_refused_ && all_acked;
  if (!make_room &&
      (acked_lines < compact_after_ || acked_lines < records_.size() - acked_lines))
    return {};
  compact_after_ = acked_lines + std::max(kCompactAfterAcked, acked_lines);  // if this fails
  if (auto w = write_acked(acked_path_, file_acked_, true); !w) return w;
  if (auto c = compact(); !c) return c;
  compact_after_ = kCompactAfterAcked;
  return {};
}

// Keeps what the durable acked file does not cover (which may be more than pending()).
Result<void> Spool::compact() {
  std::vector<SpooledRecord> keep(first_above(records_, file_acked_), records_.cend());
  if (keep.empty()) {  // in place: frees space even on a full disk
    if (::ftruncate(fd_, 0) != 0 || ::fdatasync(fd_) != 0)
      return io_error("cannot empty", spool_path_);
    records_.clear();
    append_refused_ = false;
    return {};
  }
  if (auto w = write_file_atomically(spool_path_, encode_lines(keep)); !w) return w;
  close_fd();
  fd_ = ::open(spool_path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) return io_error("cannot reopen", spool_path_);
  records_ = std::move(keep);
  if (!records_.empty()) durable_ = std::max(durable_, records_.back().seq);  // fsync'd above
  return {};
}

std::vector<SpooledRecord> Spool::pending() const {
  return std::vector<SpooledRecord>(first_above(records_, acked_), records_.end());
}

std::size_t Spool::pending_count() const {
  return static_cast<std::size_t>(records_.end() - first_above(records_, acked_));
}

}  // namespace ftpchat
