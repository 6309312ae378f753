// Editors' swap and backup files (.outbox.swp, outbox~, 4913, .outbox.save) in a room
// folder: kept in memory for the life of the mount, never sent to the server, bounded in
// total size. Keys are "ROOM/NAME". Thread-safe (one mutex, never held across I/O).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <ctime>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ftpchat {

class ScratchFiles {
 public:
  static constexpr std::size_t kDefaultLimit = 16u << 20;  // bytes, all files of the mount
  explicit ScratchFiles(std::size_t limit = kDefaultLimit) : limit_(limit) {}

  struct Info {
    mode_t mode = 0600;
    std::size_t size = 0;
    std::time_t mtime = 0;
  };

  // 0 or -EEXIST when `exclusive` and the file exists.
  int create(const std::string& key, mode_t mode, bool exclusive);
  std::optional<Info> stat(const std::string& key) const;
  // Bytes read; -ENOENT when the file is gone.
  long read(const std::string& key, char* buf, std::size_t size, off_t off) const;
  // Bytes written, -ENOSPC over the mount's limit, -ENOENT when gone.
  long write(const std::string& key, const char* buf, std::size_t size, off_t off);
  int truncate(const std::string& key, off_t size);
  int chmod(const std::string& key, mode_t mode);
  int touch(const std::string& key, std::time_t mtime);
  int unlink(const std::string& key);
  // Moves a file, replacing any scratch file at `to`.
  int rename(const std::string& from, const std::string& to);
  // Removes the file and returns its content (for a rename onto outbox).
  std::optional<std::string> take(const std::string& key);
  // Names of the files of one room ("ROOM/" prefix stripped).
  std::vector<std::string> list(std::string_view room) const;

 private:
  struct File {
    std::string data;
    mode_t mode = 0600;
    std::time_t mtime = 0;
  };
  int resize_locked(File& f, std::size_t size);  // requires mu_

  const std::size_t limit_;
  mutable std::mutex mu_;
  std::map<std::string, File> files_;  // guarded by mu_
  std::size_t total_ = 0;              // sum of data sizes; guarded by mu_
};

}  // namespace ftpchat
