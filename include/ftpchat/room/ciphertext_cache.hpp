// A local copy of the writer files' bytes already fetched, so a remount does not download a
// room's history again. It wraps the mount's Transport and only changes reads of writer
// files ("<room>/[<period>/]<writer>.w"); everything else passes through. Reads stream (read_to): the
// cached and the new bytes reach the sink in pieces, never the whole file at once.
//
// Rules (docs/PERFORMANCE.md, "Ciphertext cache"):
//  1. the cache holds exactly a prefix of the server's file: bytes are only ever appended in
//     the order they were fetched, starting at offset 0;
//  2. before cached bytes are used, the last kVerifyBytes of the cached prefix are fetched
//     again from the server with the new bytes after them (one RETR); if they differ, or the
//     server's file is now shorter, the history changed: that transfer is stopped, the cache
//     of that file is dropped and the file is read from the server again. Only once they
//     match do cached bytes reach the sink, then the new bytes as they arrive (appended to
//     the cache on the way);
//  3. the cached bytes are records sealed with the room key, so they re-authenticate when
//     decoded; the cache holds nothing the server does not already hold (no plaintext);
//  4. a cached file exactly as long as the server's last listing of its folder said is used
//     as it is, with no request at all (a warm remount downloads nothing of old history). A
//     rewrite that keeps the size is then not seen by the cache; the records it holds still
//     authenticate, and the reading rules drop replayed ones.
// Layout: CACHE_DIR/<BLAKE2b of the display URL, 16 hex>/<room folder>/[<period>/]<writer
// file>, folders 0700, files 0600.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "ftpchat/transport/transport.hpp"

namespace ftpchat {

struct CacheStats {
  std::uint64_t bytes_from_cache = 0;   // history served locally instead of downloaded
  std::uint64_t invalidations = 0;      // cached files dropped because the server's changed
};

class CachingTransport final : public Transport {
 public:
  static constexpr std::size_t kVerifyBytes = 64;

  // `cache_dir` is $XDG_CACHE_HOME/ftpchatfs; created on first use.
  CachingTransport(Transport& inner, const std::filesystem::path& cache_dir);

  // Passes through, noting the listed size of each writer file (rule 4).
  Result<std::vector<DirEntry>> list(const std::string& dir) override;
  // A sink that stops, or a server that fails midway, leaves a cache that is still a prefix
  // (only whole pieces the server sent are appended). Holds the lock of that file's copy
  // during the transfer (reads of other files go on): `sink` must not read `path` again.
  Result<void> read_to(const std::string& path, std::uint64_t offset,
                       const ByteSink& sink) override;
  Result<void> append(const std::string& path, std::string_view data) override {
    return inner_.append(path, data);
  }
  Result<void> create_file(const std::string& path, std::string_view data) override {
    return inner_.create_file(path, data);
  }
  Result<void> make_dir(const std::string& path) override { return inner_.make_dir(path); }
  std::string display_url() const override { return inner_.display_url(); }
  TransportStats stats() const override { return inner_.stats(); }
  std::string mode() const override { return inner_.mode(); }

  // Our own append of `bytes` to `path`, which held `at` bytes before it: the cache takes them
  // when it holds exactly those `at` bytes (rule 1; if we were wrong about the server's file,
  // rule 2 finds out at the next read). Other paths and other cache sizes are left alone.
  void extend(const std::string& path, std::uint64_t at, std::string_view bytes);

  CacheStats cache_stats() const;
  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path file_for(const std::string& path) const;
  void make_folders(const std::filesystem::path& file) const;  // 0700 up to the root
  // read_to on the cached copy `file`, under its lock; `listed`: the last listing's size.
  Result<void> read_cached(const std::filesystem::path& file, const std::string& path,
                           std::uint64_t offset, std::optional<std::uint64_t> listed,
                           const ByteSink& sink, CacheStats& stats);

  Transport& inner_;
  std::filesystem::path root_;
  mutable std::mutex mu_;   // guards the two below; never held across a transfer
  CacheStats stats_;        // guarded by mu_
  std::map<std::string, std::uint64_t> listed_sizes_;  // writer file -> size; guarded by mu_
};

}  // namespace ftpchat
