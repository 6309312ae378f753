// This client's writer id for one room, kept in local state so a remount reuses it,
// and locked (flock) while held so two live mounts never write to the same file.
#pragma once

#include <filesystem>

#include "ftpchat/core/bytes.hpp"
#include "ftpchat/core/error.hpp"

namespace ftpchat {

class WriterIdentity {
 public:
  // Reuses the first unlocked id under `dir` (created if missing), else makes a new one.
  static Result<WriterIdentity> acquire(const std::filesystem::path& dir);

  WriterIdentity(WriterIdentity&& other) noexcept;
  WriterIdentity& operator=(WriterIdentity&& other) noexcept;
  WriterIdentity(const WriterIdentity&) = delete;
  WriterIdentity& operator=(const WriterIdentity&) = delete;
  ~WriterIdentity();

  const Id128& id() const { return id_; }

 private:
  WriterIdentity(const Id128& id, int fd) : id_(id), fd_(fd) {}
  Id128 id_{};
  int fd_ = -1;  // holds the lock; closing it releases
};

}  // namespace ftpchat
