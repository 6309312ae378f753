// Whether a file's data has reached the disk, for durability tests: cachestat(2) (Linux 6.5)
// counts the file's page-cache pages that are dirty or under writeback, which an fdatasync
// leaves at zero and a plain write() does not.
#pragma once

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace ftpchat::testing {

// Pages of `path` not yet on disk; nullopt when the kernel has no cachestat(2).
inline std::optional<std::uint64_t> unsynced_pages(const std::filesystem::path& path) {
#ifdef SYS_cachestat
  const long nr = SYS_cachestat;
#else
  const long nr = 451;  // the same number on every architecture
#endif
  struct Range {
    std::uint64_t off, len;  // len 0: to the end of the file
  } range{0, 0};
  struct Stat {
    std::uint64_t cache, dirty, writeback, evicted, recently_evicted;
  } st{};
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  const long rc = ::syscall(nr, fd, &range, &st, 0u);
  ::close(fd);
  if (rc != 0) return std::nullopt;
  return st.dirty + st.writeback;
}

// True when files in `dir` show a write() as unsynced and an fdatasync as synced (not on
// tmpfs, whose pages never get clean, nor on kernels without cachestat): tests that rely on
// unsynced_pages() skip otherwise.
inline bool page_cache_observable(const std::filesystem::path& dir) {
  const std::filesystem::path probe = dir / "page-cache-probe";
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  const std::string data(100, 'x');
  bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
  const auto written = unsynced_pages(probe);
  ok = ok && written && *written > 0 && ::fdatasync(fd) == 0;
  const auto synced = unsynced_pages(probe);
  ::close(fd);
  std::filesystem::remove(probe);
  return ok && synced && *synced == 0;
}

}  // namespace ftpchat::testing
