// The rooms' headers kept on this machine, so that a warm mount opens its rooms without
// fetching them (login and the base folder's listing remain, and the key derivations).
// A header is immutable and holds nothing secret (the room id, public KDF parameters and
// sealed ciphertext: docs/FORMAT.md); nothing derived from a passphrase or an identity is
// kept. A room opened from here compares its header with the server's in its first sync
// (Room::check_header_locked, pinned as always), and a header the server no longer has, or
// holds differently, is forgotten here, so the next mount reads the server's again.
// Layout: CACHE_DIR/<url key>/<room folder>/header (beside the ciphertext cache's writer
// files), folders 0700, files 0600, written under a temporary name and renamed.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ftpchat {

class HeaderCache {
 public:
  // `root`: CachingTransport::root() (the cache folder of this server and path).
  explicit HeaderCache(std::filesystem::path root) : root_(std::move(root)) {}

  // The header kept for room `folder`; nullopt if none (or unreadable, or too large).
  std::optional<std::string> load(const std::string& folder) const;
  // Best effort: a full disk only means the next mount fetches the header.
  void store(const std::string& folder, std::string_view raw) const;
  void forget(const std::string& folder) const;

 private:
  std::filesystem::path file_of(const std::string& folder) const;

  std::filesystem::path root_;
};

}  // namespace ftpchat
