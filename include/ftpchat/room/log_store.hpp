// The rendered text of one room's ROOM/log: append-only, read at any offset, with memory
// bounded by one block whatever the log's size. Full blocks live in an unlinked temporary
// file, each sealed with XChaCha20-Poly1305 under a random key that exists only in this
// process's guarded memory, so no plaintext reaches the disk and nothing outlives the mount.
// Not thread-safe; the owning Room guards it (read() updates a one-block cache).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "ftpchat/core/secret.hpp"

namespace ftpchat {

class LogStore {
 public:
  static constexpr std::size_t kDefaultBlockBytes = 64 * 1024;

  // The temporary file goes into `dir` ($TMPDIR, else /var/tmp, when empty). When it cannot
  // be created the store keeps the sealed blocks in memory instead (still bounded per block).
  explicit LogStore(std::filesystem::path dir = {}, std::size_t block_bytes = kDefaultBlockBytes);
  ~LogStore();
  LogStore(const LogStore&) = delete;
  LogStore& operator=(const LogStore&) = delete;

  void append(std::string_view text);
  std::uint64_t size() const { return sealed_blocks_ * block_bytes_ + tail_.size(); }
  // Up to `length` bytes from `offset`; empty at or past the end. A block that fails to read
  // back or authenticate (the temporary file was tampered with) reads as empty.
  std::string read(std::uint64_t offset, std::size_t length) const;

  bool file_backed() const { return fd_ >= 0; }
  std::uint64_t sealed_blocks() const { return sealed_blocks_; }

 private:
  void seal_block(std::string_view plain);
  const std::string* block(std::uint64_t index) const;  // nullptr when unreadable

  std::size_t block_bytes_;
  SecretBytes key_;
  int fd_ = -1;
  std::vector<std::string> memory_blocks_;  // sealed blocks when there is no file
  std::uint64_t sealed_blocks_ = 0;
  std::string tail_;                        // the last, partial block, in clear
  mutable std::uint64_t cached_index_ = UINT64_MAX;
  mutable std::string cached_plain_;        // block cached_index_, decrypted
};

}  // namespace ftpchat
