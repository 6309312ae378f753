// In-memory scratch files of a mount (see scratch_files.hpp).
#include "scratch_files.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ftpchat {

int ScratchFiles::create(const std::string& key, mode_t mode, bool exclusive) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = files_.try_emplace(key);
  if (!inserted && exclusive) return -EEXIST;
  if (inserted) {
    it->second.mode = mode & 07777;
    it->second.mtime = std::time(nullptr);
  }
  return 0;
}

std::optional<ScratchFiles::Info> ScratchFiles::stat(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = files_.find(key);
  if (it == files_.end()) return std::nullopt;
  return Info{it->second.mode, it->second.data.size(), it->second.mtime};
}

long ScratchFiles::read(const std::string& key, char* buf, std::size_t size, off_t off) const {
  std::lock_guard lock(mu_);
  auto it = files_.find(key);
  if (it == files_.end()) return -ENOENT;
  const std::string& d = it->second.data;
  if (off < 0 || static_cast<std::size_t>(off) >= d.size()) return 0;
  const std::size_t n = std::min(size, d.size() - static_cast<std::size_t>(off));
  std::memcpy(buf, d.data() + off, n);
  return static_cast<long>(n);
}

int ScratchFiles::resize_locked(File& f, std::size_t size) {
  if (size > f.data.size() && total_ + (size - f.data.size()) > limit_) return -ENOSPC;
  total_ = total_ - f.data.size() + size;
  f.data.resize(size);
  f.mtime = std::time(nullptr);
  return 0;
}

long ScratchFiles::write(const std::string& key, const char* buf, std::size_t size, off_t off) {
  if (off < 0) return -EINVAL;
  std::lock_guard lock(mu_);
  auto it = files_.find(key);
  if (it == files_.end()) return -ENOENT;
  File& f = it->second;
  const std::size_t end = static_cast<std::size_t>(off) + size;
  if (end > f.data.size())
    if (int rc = resize_locked(f, end); rc != 0) return rc;
  std::memcpy(f.data.data() + off, buf, size);
  f.mtime = std::time(nullptr);
  return static_cast<long>(size);
}

int ScratchFiles::truncate(const std::string& key, off_t size) {
  if (size < 0) return -EINVAL;
  std::lock_guard lock(mu_);
  auto it = files_.find(key);
  if (it == files_.end()) return -ENOENT;
  return resize_locked(it->second, static_cast<std::size_t>(size));
}

int ScratchFiles::chmod(const std::string& key, mode_t mode) {
  std::lock_guard lock(mu_);
  auto it = files_.find(key);
  if (it == files_.end()) return -ENOENT;
  it->second.mode = mode & 07777;
  return 0;
}

int ScratchFiles::touch(const std::string& key, std::time_t mtime) {
  std::lock_guard lock(mu_);
  auto it = files_.find(key);
  if (it == files_.end()) return -ENOENT;
  it->second.mtime = mtime;
  return 0;
}

int ScratchFiles::unlink(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = files_.find(key);
  if (it == files_.end()) return -ENOENT;
  total_ -= it->second.data.size();
  files_.erase(it);
  return 0;
}

int ScratchFiles::rename(const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  auto it = files_.find(from);
  if (it == files_.end()) return -ENOENT;
  if (from == to) return 0;
  File moved = std::move(it->second);
  files_.erase(it);
  if (auto old = files_.find(to); old != files_.end()) {
    total_ -= old->second.data.size();
    old->second = std::move(moved);
  } else {
    files_.emplace(to, std::move(moved));
  }
  return 0;
}

std::optional<std::string> ScratchFiles::take(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = files_.find(key);
  if (it == files_.end()) return std::nullopt;
  std::string data = std::move(it->second.data);
  total_ -= data.size();
  files_.erase(it);
  return data;
}

std::vector<std::string> ScratchFiles::list(std::string_view room) const {
  std::vector<std::string> names;
  const std::string prefix = std::string(room) + "/";
  std::lock_guard lock(mu_);
  for (auto it = files_.lower_bound(prefix); it != files_.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    names.push_back(it->first.substr(prefix.size()));
  }
  return names;
}

}  // namespace ftpchat
