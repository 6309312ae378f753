// CachingTransport: writer-file reads served from a local ciphertext cache, verified against
// the server by a small overlap before reuse (rules in the header).
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
  // Appends [from, size) of the file to `out`; false on a short read.
  bool read_into(std::string& out, std::uint64_t from, std::uint64_t size) const {
    const std::size_t start = out.size();
    out.resize(start + static_cast<std::size_t>(size - from));
    std::size_t done = 0;
    while (from + done < size) {
      const ssize_t n = ::pread(fd_, out.data() + start + done, out.size() - start - done,
                                static_cast<off_t>(from + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }
  // Appends at the end; on failure the file is cut back, so it stays a prefix of the server's.
  void append(std::string_view bytes) {
    const std::uint64_t at = size();
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done,
                                 static_cast<off_t>(at + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (::ftruncate(fd_, static_cast<off_t>(at)) != 0) truncate_all();
        return;
      }
      done += static_cast<std::size_t>(n);
    }
  }
  void truncate_all() {
    if (::ftruncate(fd_, 0) != 0) { /* unusable cache: the next verification drops it */ }
  }

 private:
  int fd_ = -1;
};

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

// Only "<room folder>/<writer file>" is cached; any other path reads straight through.
std::filesystem::path CachingTransport::file_for(const std::string& path) const {
  const auto slash = path.find('/');
  if (slash == std::string::npos) return {};
  const std::string_view folder(path.data(), slash);
  const std::string_view name = std::string_view(path).substr(slash + 1);
  if (!layout::is_room_folder(folder) || !layout::parse_writer_file(name)) return {};
  return root_ / std::string(folder) / std::string(name);
}

Result<std::string> CachingTransport::read(const std::string& path, std::uint64_t offset) {
  const std::filesystem::path file = file_for(path);
  if (file.empty()) return inner_.read(path, offset);
  std::lock_guard lock(mu_);
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  for (const auto& dir : {root_.parent_path(), root_, file.parent_path()})
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  LockedFile cache(file);
  if (!cache.ok()) return inner_.read(path, offset);
  const std::uint64_t cached = cache.size();

  if (cached == 0 || offset > cached) {  // nothing usable: plain read, cached when contiguous
    auto got = inner_.read(path, offset);
    if (got && offset == cached) cache.append(got.value());
    return got;
  }

  // Rule 2: fetch from a little before the cached end and compare the overlap.
  const std::uint64_t from = std::max(offset, cached - std::min<std::uint64_t>(cached, kVerifyBytes));
  auto got = inner_.read(path, from);
  if (got) {
    std::string out;
    out.reserve(static_cast<std::size_t>(from - offset) + got->size());
    const std::uint64_t overlap = cached - from;
    std::string verify;
    if (got->size() >= overlap && cache.read_into(out, offset, from) &&
        cache.read_into(verify, from, cached) && got->compare(0, overlap, verify) == 0) {
      cache.append(std::string_view(got.value()).substr(overlap));
      stats_.bytes_from_cache += from - offset;
      out += got.value();
      return out;
    }
  }
  // The server's history changed (or the overlap could not be fetched: a shorter file makes
  // REST fail). Read it as the server has it now; drop the cache only if that works.
  auto direct = inner_.read(path, offset);
  if (!direct) return direct;
  cache.truncate_all();
  ++stats_.invalidations;
  if (offset == 0) cache.append(direct.value());
  return direct;
}

}  // namespace ftpchat
