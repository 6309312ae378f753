// WriterIdentity: writer-<hex>.lock files in the room's state folder, one flock each.
#include "ftpchat/room/writer_identity.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

namespace ftpchat {

namespace fs = std::filesystem;

static constexpr std::string_view kPrefix = "writer-";
static constexpr std::string_view kSuffix = ".lock";

static int lock_file(const fs::path& path, int extra_flags) {
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | extra_flags, 0600);
  if (fd < 0) return -1;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

static std::vector<fs::path> lock_files(const fs::path& dir) {
  std::error_code ec;
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() == kPrefix.size() + 32 + kSuffix.size() && name.starts_with(kPrefix) &&
        name.ends_with(kSuffix))
      found.push_back(entry.path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::vector<Id128> WriterIdentity::known_ids(const fs::path& dir) {
  std::vector<Id128> ids;
  for (const fs::path& path : lock_files(dir))
    if (auto id = id_from_hex(std::string_view(path.filename().string()).substr(kPrefix.size(), 32)))
      ids.push_back(*id);
  return ids;
}

Result<WriterIdentity> WriterIdentity::acquire(const fs::path& dir,
                                               const std::function<bool(const Id128&)>& prefer) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return os_error("cannot create state folder " + dir.string(), ec.value());
  fs::permissions(dir, fs::perms::owner_all, ec);

  const std::vector<fs::path> candidates = lock_files(dir);
  for (int pass = prefer ? 0 : 1; pass < 2; ++pass) {
    for (const fs::path& path : candidates) {
      const std::string name = path.filename().string();
      auto id = id_from_hex(std::string_view(name).substr(kPrefix.size(), 32));
      if (!id || (pass == 0 && !prefer(*id))) continue;
      int fd = lock_file(path, 0);
      if (fd >= 0) return WriterIdentity(*id, fd, false);
    }
  }
  const Id128 id = random_id();
  const fs::path path = dir / (std::string(kPrefix) + to_hex(id) + std::string(kSuffix));
  int fd = lock_file(path, O_CREAT | O_EXCL);
  if (fd < 0)
    return os_error("cannot create writer id " + path.string(), errno);
  return WriterIdentity(id, fd, true);
}

WriterIdentity::WriterIdentity(WriterIdentity&& other) noexcept
    : id_(other.id_), fd_(std::exchange(other.fd_, -1)), created_(other.created_) {}

WriterIdentity& WriterIdentity::operator=(WriterIdentity&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    id_ = other.id_;
    fd_ = std::exchange(other.fd_, -1);
    created_ = other.created_;
  }
  return *this;
}

WriterIdentity::~WriterIdentity() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace ftpchat
