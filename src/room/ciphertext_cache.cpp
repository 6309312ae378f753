// CachingTransport: writer-file reads served from a local ciphertext cache, verified against
// the server by a small overlap before reuse (rules in the header). Reads stream: at most one
// piece of a file (the server's, or kCachePiece of the cache's) is in memory at a time.
#include "ftpchat/room/ciphertext_cache.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "ftpchat/core/bytes.hpp"
#include "ftpchat/room/room_layout.hpp"

namespace ftpchat {
namespace {

constexpr std::size_t kCachePiece = 256 * 1024;  // cached bytes handed to a sink at once

// An open, exclusively locked cache file (two mounts sharing a cache take turns).
class LockedFile {
 public:
  explicit LockedFile(const std::filesystem::path& file) {
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ >= 0 && ::flock(fd_, LOCK_EX) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~LockedFile() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }
  LockedFile(const LockedFile&) = delete;
  LockedFile& operator=(const LockedFile&) = delete;

  bool ok() const { return fd_ >= 0; }
  std::uint64_t size() const {
    struct stat st {};
    return ::fstat(fd_, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
  }
  // Sets `out` to the bytes [from, to) of the file; false on a short read.
  bool read_range(std::string& out, std::uint64_t from, std::uint64_t to) const {
    out.resize(static_cast<std::size_t>(to - from));
    std::size_t done = 0;
    while (done < out.size()) {
      const ssize_t n =
          ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(from + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }
  // Appends at the end. On failure the file is cut back, so it stays a prefix of the server's,
  // and false says so: later bytes must then not be appended (they would leave a gap).
  bool append(std::string_view bytes) {
    const std::uint64_t at = size();
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n =
          ::pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(at + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (::ftruncate(fd_, static_cast<off_t>(at)) != 0) truncate_all();
        return false;
      }
      done += static_cast<std::size_t>(n);
    }
    return true;
  }
  // False if the file could not be emptied (unusable: the next verification drops it).
  bool truncate_all() { return ::ftruncate(fd_, 0) == 0; }

 private:
  int fd_ = -1;
};

// Rule 2 while the server's bytes from `from` stream in: the first of them must equal the
// cache's [from, cached) (`expected`). Only then are the cached [offset, from) handed to the
// sink, then the overlap, then the server's bytes after it, which also extend the cache.
class VerifiedRead {
 public:
  VerifiedRead(LockedFile& cache, std::uint64_t offset, std::uint64_t from, std::string expected,
               const ByteSink& sink)
      : cache_(cache), offset_(offset), from_(from), expected_(std::move(expected)), sink_(sink) {
    verified_ = expected_.empty();  // offset == cached: nothing to compare, nothing cached to send
  }

  // The inner transport's sink.
  bool take(std::string_view piece) {
    if (!verified_) {
      const std::string_view part = piece.substr(0, expected_.size() - head_.size());
      head_.append(part);
      piece.remove_prefix(part.size());
      if (head_.size() < expected_.size()) return true;
      if (head_ != expected_) {
        mismatch_ = true;
        return false;  // stop the transfer: the file is read again from the start
      }
      verified_ = true;
      // The cached bytes before the overlap, then the overlap (already cached as it is).
      if (!send_cached() || !hand_over(head_)) return false;
    }
    if (piece.empty()) return true;
    if (caching_) caching_ = cache_.append(piece);
    return hand_over(piece);
  }

  bool verified() const { return verified_; }  // false after a success: the file is shorter
  bool mismatch() const { return mismatch_; }
  bool sink_stopped() const { return sink_stopped_; }
  bool cache_failed() const { return cache_failed_; }
  bool delivered() const { return delivered_; }  // some byte reached the caller's sink
  std::uint64_t from_cache() const { return from_cache_; }

 private:
  bool send_cached() {
    std::string piece;
    for (std::uint64_t at = offset_; at < from_; at += piece.size()) {
      if (!cache_.read_range(piece, at, std::min<std::uint64_t>(from_, at + kCachePiece))) {
        cache_failed_ = true;
        return false;
      }
      from_cache_ += piece.size();
      if (!hand_over(piece)) return false;
    }
    return true;
  }
  bool hand_over(std::string_view bytes) {
    if (bytes.empty()) return true;
    delivered_ = true;
    if (sink_(bytes)) return true;
    sink_stopped_ = true;
    return false;
  }

  LockedFile& cache_;
  const std::uint64_t offset_;
  const std::uint64_t from_;
  const std::string expected_;  // at most kVerifyBytes
  const ByteSink& sink_;
  std::string head_;  // the server's first bytes, until there are expected_.size()
  bool verified_ = false;
  bool caching_ = true;
  bool mismatch_ = false;
  bool sink_stopped_ = false;
  bool cache_failed_ = false;
  bool delivered_ = false;
  std::uint64_t from_cache_ = 0;
};

// A read straight from the server. `fill`: its bytes extend the cache (they start where the
// cache ends, or at 0 once it is dropped). `drop`: the cache is stale and is emptied as soon
// as the server answers; a request that fails before any byte keeps it.
Result<void> read_from_server(Transport& inner, LockedFile& cache, const std::string& path,
                              std::uint64_t offset, const ByteSink& sink, bool fill, bool drop,
                              CacheStats& stats) {
  bool answered = false;
  const auto on_answer = [&] {
    if (answered) return;
    answered = true;
    if (!drop) return;
    if (!cache.truncate_all()) fill = false;
    ++stats.invalidations;
  };
  auto got = inner.read_to(path, offset, [&](std::string_view piece) {
    on_answer();
    if (fill) fill = cache.append(piece);
    return sink(piece);
  });
  if (got) on_answer();
  return got;
}

std::string url_key(const std::string& display_url) {
  unsigned char hash[8];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(display_url.data()),
                     display_url.size(), nullptr, 0);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : hash) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

}  // namespace

CachingTransport::CachingTransport(Transport& inner, const std::filesystem::path& cache_dir)
    : inner_(inner), root_(cache_dir / url_key(inner.display_url())) {}

CacheStats CachingTransport::cache_stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

// Only "<room folder>/<writer file>" and "<room folder>/<period>/<writer file>" are cached;
// any other path reads straight through.
std::filesystem::path CachingTransport::file_for(const std::string& path) const {
  const auto first = path.find('/');
  if (first == std::string::npos) return {};
  const std::string_view folder(path.data(), first);
  std::string_view name = std::string_view(path).substr(first + 1);
  std::string_view period;
  if (const auto second = name.find('/'); second != std::string_view::npos) {
    period = name.substr(0, second);
    name.remove_prefix(second + 1);
    if (!layout::is_period_folder(period)) return {};
  }
  if (!layout::is_room_folder(folder) || !layout::parse_writer_file(name)) return {};
  return root_ / std::string(folder) / std::string(period) / std::string(name);
}

Result<std::vector<DirEntry>> CachingTransport::list(const std::string& dir) {
  auto listing = inner_.list(dir);
  if (!listing) return listing;
  std::lock_guard lock(mu_);
  for (const DirEntry& e : listing.value()) {
    if (e.is_dir || !e.size) continue;
    std::string path = dir + "/" + e.name;
    if (!file_for(path).empty()) listed_sizes_[std::move(path)] = *e.size;
  }
  return listing;
}

void CachingTransport::make_folders(const std::filesystem::path& file) const {
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  std::filesystem::permissions(root_.parent_path(), std::filesystem::perms::owner_all, ec);
  for (auto dir = file.parent_path(); dir.string().size() >= root_.string().size();
       dir = dir.parent_path())
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
}

void CachingTransport::extend(const std::string& path, std::uint64_t at, std::string_view bytes) {
  const std::filesystem::path file = file_for(path);
  if (file.empty() || bytes.empty()) return;
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    if (at != 0) return;
    make_folders(file);
  }
  LockedFile cache(file);
  if (cache.ok() && cache.size() == at) (void)cache.append(bytes);
}

// Reads of different files run side by side (rooms are polled in parallel): each holds only
// its own file's lock (flock, which also keeps other mounts sharing the cache folder out);
// mu_ guards the listed sizes and the statistics, never a transfer.
Result<void> CachingTransport::read_to(const std::string& path, std::uint64_t offset,
                                       const ByteSink& sink) {
  const std::filesystem::path file = file_for(path);
  if (file.empty()) return inner_.read_to(path, offset, sink);
  std::optional<std::uint64_t> listed;
  {
    std::lock_guard lock(mu_);
    if (const auto it = listed_sizes_.find(path); it != listed_sizes_.end()) listed = it->second;
  }
  CacheStats delta;
  auto read = read_cached(file, path, offset, listed, sink, delta);
  std::lock_guard lock(mu_);
  stats_.bytes_from_cache += delta.bytes_from_cache;
  stats_.invalidations += delta.invalidations;
  return read;
}

Result<void> CachingTransport::read_cached(const std::filesystem::path& file,
                                           const std::string& path, std::uint64_t offset,
                                           std::optional<std::uint64_t> listed,
                                           const ByteSink& sink, CacheStats& stats) {
  make_folders(file);
  LockedFile cache(file);
  if (!cache.ok()) return inner_.read_to(path, offset, sink);
  const std::uint64_t cached = cache.size();

  // Rule 4: exactly what the server's listing says it has: no request.
  if (cached > 0 && offset <= cached && listed == cached) {
    std::string piece;
    for (std::uint64_t at = offset; at < cached; at += piece.size()) {
      if (!cache.read_range(piece, at, std::min<std::uint64_t>(cached, at + kCachePiece)))
        return make_error(Errc::io, "reading the cached copy of " + path + " in " +
                                        file.string() + " failed");
      stats.bytes_from_cache += piece.size();
      if (!sink(piece)) return make_error(Errc::cancelled, "read of " + path + " stopped");
    }
    return {};
  }

  if (cached == 0 || offset > cached)  // nothing usable: plain read, cached when contiguous
    return read_from_server(inner_, cache, path, offset, sink, offset == cached, false, stats);

  // Rule 2: fetch from a little before the cached end and compare the overlap as it arrives.
  const std::uint64_t from =
      std::max(offset, cached - std::min<std::uint64_t>(cached, kVerifyBytes));
  std::string expected;
  if (cache.read_range(expected, from, cached)) {
    VerifiedRead reuse(cache, offset, from, std::move(expected), sink);
    auto got =
        inner_.read_to(path, from, [&reuse](std::string_view piece) { return reuse.take(piece); });
    stats.bytes_from_cache += reuse.from_cache();
    if (got && reuse.verified()) return {};
    if (reuse.sink_stopped()) return got;  // the caller's own stop; the cache is still a prefix
    if (reuse.cache_failed() && reuse.delivered())
      return make_error(Errc::io,
                        "reading the cached copy of " + path + " in " + file.string() + " failed");
    // Failed midway: the caller has bytes already, so it must not get them again. Or failed
    // with offset == cached: the direct read below would be the same request.
    if (!got && !reuse.mismatch() && !reuse.cache_failed() &&
        (reuse.delivered() || offset == cached))
      return got;
  }
  // The server's history changed (or the overlap could not be fetched: a shorter file makes
  // REST fail). Read it as the server has it now; drop the cache once the server answers.
  return read_from_server(inner_, cache, path, offset, sink, offset == 0, true, stats);
}

}  // namespace ftpchat
