// LocalTransport: the Transport interface on a local (often network-shared) folder.
// 1. append: O_APPEND and ONE write() per call, so a record batch lands whole even with
//    other processes appending (on local filesystems and NFS with O_APPEND semantics).
// 2. create_file: write a temporary file, then link() it to the final name, which fails with
//    EEXIST instead of replacing (exclusive create that readers never see partial). Where
//    link() is not supported (SMB, FAT), renameat2(RENAME_NOREPLACE) does the same.
// 3. make_dir: mkdir(); EEXIST is "exists", never merged into.
#include "ftpchat/transport/local_transport.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "ftpchat/core/bytes.hpp"
#include "relative_path.hpp"

namespace ftpchat {
namespace {

Errc errc_from_errno(int err) {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return Errc::not_found;
    case EEXIST:
      return Errc::exists;
    case EACCES:
    case EPERM:
    case EROFS:
      return Errc::permission;
    case ENAMETOOLONG:
    case EINVAL:
      return Errc::invalid_argument;
    default:
      return Errc::io;
  }
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }
  // close() reports deferred write errors on network filesystems (NFS): check it.
  int close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

class DirCloser {
 public:
  explicit DirCloser(DIR* d) : d_(d) {}
  DirCloser(const DirCloser&) = delete;
  DirCloser& operator=(const DirCloser&) = delete;
  ~DirCloser() {
    if (d_ != nullptr) closedir(d_);
  }
  DIR* get() const { return d_; }

 private:
  DIR* d_;
};

// Writes all of `data`; one write() call unless the kernel takes less (then it continues).
bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

class LocalTransport final : public Transport {
 public:
  static constexpr std::size_t kReadPiece = 256 * 1024;  // what read_to() hands over at once

  explicit LocalTransport(const RemoteUrl& url) : url_(url), base_(url.path) {}

  Result<std::vector<DirEntry>> list(const std::string& dir_in) override {
    std::string dir = dir_in;
    if (!dir.empty() && dir.back() == '/') dir.pop_back();
    if (auto valid = check_relative_path(dir, true); !valid) return valid.error();
    ++requests_;
    const std::string full = base_ + dir;
    DirCloser d(opendir(full.c_str()));
    if (d.get() == nullptr) return failure("listing", dir);
    std::vector<DirEntry> entries;
    while (true) {
      errno = 0;
      const dirent* e = readdir(d.get());
      if (e == nullptr) {
        if (errno != 0) return failure("listing", dir);
        break;
      }
      const std::string_view name = e->d_name;
      if (name == "." || name == "..") continue;
      struct stat st {};
      if (fstatat(dirfd(d.get()), e->d_name, &st, 0) != 0) continue;  // vanished meanwhile
      DirEntry entry;
      entry.name = std::string(name);
      entry.is_dir = S_ISDIR(st.st_mode);
      if (S_ISREG(st.st_mode)) entry.size = static_cast<std::uint64_t>(st.st_size);
      entries.push_back(std::move(entry));
    }
    return entries;
  }

  Result<void> read_to(const std::string& path, std::uint64_t offset,
                       const ByteSink& sink) override {
    if (auto valid = check_relative_path(path, false); !valid) return valid.error();
    ++requests_;
    Fd fd(::open((base_ + path).c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.ok()) return failure("reading", path);
    struct stat st {};
    if (fstat(fd.get(), &st) != 0) return failure("reading", path);
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (offset > size)
      return make_error(Errc::bad_data, "file " + url_.redacted_for(path) +
                                            " is shorter than the " + std::to_string(offset) +
                                            " bytes already read");
    std::string piece(kReadPiece, '\0');
    auto pos = static_cast<off_t>(offset);
    while (true) {  // to the real end: the file may have grown since fstat
      const ssize_t n = ::pread(fd.get(), piece.data(), piece.size(), pos);
      if (n < 0) {
        if (errno == EINTR) continue;
        return failure("reading", path);
      }
      if (n == 0) break;
      pos += n;
      bytes_down_ += static_cast<std::uint64_t>(n);
      if (!sink(std::string_view(piece.data(), static_cast<std::size_t>(n))))
        return make_error(Errc::cancelled,
                          "reading " + url_.redacted_for(path) + ": stopped by the receiver");
    }
    return {};
  }

  Result<void> append(const std::string& path, std::string_view data) override {
    if (auto valid = check_relative_path(path, false); !valid) return valid.error();
    ++requests_;
    Fd fd(::open((base_ + path).c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
    if (!fd.ok()) return failure("appending to", path);
    if (!write_all(fd.get(), data) || fd.close() != 0) return failure("appending to", path);
    bytes_up_ += data.size();
    return {};
  }

  Result<void> create_file(const std::string& path, std::string_view data) override {
    if (auto valid = check_relative_path(path, false); !valid) return valid.error();
    ++requests_;
    const PathParts parts = split_relative_path(path);
    const std::string final_path = base_ + path;
    const std::string temp = base_ + (parts.parent.empty() ? "" : parts.parent + "/") + "." +
                             parts.name + ".tmp-" + to_hex(as_chars(random_id()).substr(0, 8));
    {
      Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
      if (!fd.ok()) return failure("creating", path);
      if (!write_all(fd.get(), data) || ::fsync(fd.get()) != 0 || fd.close() != 0) {
        Error error = failure("creating", path);
        ::unlink(temp.c_str());
        return error;
      }
    }
    bytes_up_ += data.size();
    int rc = ::link(temp.c_str(), final_path.c_str());
    if (rc != 0 && (errno == EPERM || errno == ENOSYS || errno == EOPNOTSUPP || errno == EMLINK))
      rc = ::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, final_path.c_str(), RENAME_NOREPLACE);
    const int saved = errno;
    ::unlink(temp.c_str());  // after link(): the extra name; after a failure: the leftover
    if (rc != 0) {
      errno = saved;
      if (saved == EEXIST)
        return make_error(Errc::exists, url_.redacted_for(path) + " already exists");
      return failure("creating", path);
    }
    return {};
  }

  Result<void> make_dir(const std::string& path) override {
    if (auto valid = check_relative_path(path, false); !valid) return valid.error();
    ++requests_;
    if (::mkdir((base_ + path).c_str(), 0755) == 0) return {};
    if (errno == EEXIST)
      return make_error(Errc::exists, "directory " + url_.redacted_for(path) + " already exists");
    return failure("making directory", path);
  }

  std::string display_url() const override { return url_.redacted(); }

  TransportStats stats() const override {
    TransportStats s;
    s.requests = requests_.load();
    s.bytes_downloaded = bytes_down_.load();
    s.bytes_uploaded = bytes_up_.load();
    return s;  // no connections: a local folder
  }

 private:
  // Call right after the failing system call: reads errno.
  Error failure(std::string_view action, std::string_view relative) const {
    const int err = errno;
    return make_error(
        errc_from_errno(err),
        std::string(action) + " " + url_.redacted_for(relative) + ": " + std::strerror(err));
  }

  RemoteUrl url_;
  std::string base_;  // absolute, ends in '/'
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> bytes_down_{0};
  std::atomic<std::uint64_t> bytes_up_{0};
};

}  // namespace

std::unique_ptr<Transport> make_local_transport(const RemoteUrl& url) {
  return std::make_unique<LocalTransport>(url);
}

}  // namespace ftpchat
