// This client's writer id for one room, kept in local state so a remount reuses it,
// and locked (flock) while held so two live mounts never write to the same file.
#pragma once

#include <filesystem>
#include <functional>
#include <vector>

#include "ftpchat/core/bytes.hpp"
#include "ftpchat/core/error.hpp"

namespace ftpchat {

class WriterIdentity {
 public:
  // Reuses the first unlocked id under `dir` (created if missing), trying first the ids
  // `prefer` says yes to (e.g. ones with messages still spooled); else makes a new one.
  static Result<WriterIdentity> acquire(const std::filesystem::path& dir,
                                        const std::function<bool(const Id128&)>& prefer = {});

  // Every writer id kept under `dir`, held or not: this client's ids in that room.
  static std::vector<Id128> known_ids(const std::filesystem::path& dir);

  WriterIdentity(WriterIdentity&& other) noexcept;
  WriterIdentity& operator=(WriterIdentity&& other) noexcept;
  WriterIdentity(const WriterIdentity&) = delete;
  WriterIdentity& operator=(const WriterIdentity&) = delete;
  ~WriterIdentity();

  const Id128& id() const { return id_; }
  bool created() const { return created_; }  // made by this acquire(), never used before

 private:
  WriterIdentity(const Id128& id, int fd, bool created) : id_(id), fd_(fd), created_(created) {}
  Id128 id_{};
  int fd_ = -1;  // holds the lock; closing it releases
  bool created_ = false;
};

}  // namespace ftpchat
