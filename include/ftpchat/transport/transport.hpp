// The one interface the room engine uses to reach a server. Paths are relative to the
// mount's base directory, '/'-separated, never starting with '/'; "" is the base itself.
// An instance is one connection and is not thread-safe: callers serialize.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ftpchat/core/error.hpp"

namespace ftpchat {

struct DirEntry {
  std::string name;
  bool is_dir = false;
  std::optional<std::uint64_t> size;  // absent when the listing does not say
};

// Receives a download in order, one piece at a time as it arrives. Returning false stops the
// transfer; read_to() then fails with Errc::cancelled. A sink runs inside the transfer (and
// under the locks of wrapping transports): it must not call back into the transport, and
// must not throw.
using ByteSink = std::function<bool(std::string_view)>;

struct TransportStats {
  std::uint64_t requests = 0;         // protocol operations issued (list, read, append, ...)
  std::uint64_t bytes_downloaded = 0; // payload bytes (listings and file data)
  std::uint64_t bytes_uploaded = 0;
  std::uint64_t connections = 0;      // connections opened (logins); 1 while one is reused
};

class Transport {
 public:
  virtual ~Transport() = default;

  // Entries of a directory (without "." and ".."). not_found if it does not exist.
  virtual Result<std::vector<DirEntry>> list(const std::string& dir) = 0;
  // Bytes of a file from `offset` to its end (none if offset == size), handed to `sink` in
  // pieces as they arrive, so memory stays bounded whatever the file's size. not_found if it
  // is missing, bad_data if it is shorter than `offset`, cancelled if the sink said stop.
  // A read that fails midway may have handed over some pieces already (never one twice).
  virtual Result<void> read_to(const std::string& path, std::uint64_t offset,
                               const ByteSink& sink) = 0;
  // read_to() collected into one string: for files known to be small (headers).
  Result<std::string> read(const std::string& path, std::uint64_t offset) {
    std::string all;
    auto done = read_to(path, offset, [&all](std::string_view piece) {
      all.append(piece);
      return true;
    });
    if (!done) return done.error();
    return all;
  }
  // Appends to a file, creating it if missing (FTP APPE, SFTP/file O_APPEND).
  virtual Result<void> append(const std::string& path, std::string_view data) = 0;
  // Creates `path` with `data` so readers never see it partial: upload to a temporary
  // name in the same directory, then rename. exists if `path` is already there.
  virtual Result<void> create_file(const std::string& path, std::string_view data) = 0;
  // Creates a directory; exists if it is already there (never merges into it).
  virtual Result<void> make_dir(const std::string& path) = 0;

  // The server as users may see it: URL with the password removed.
  virtual std::string display_url() const = 0;
  virtual TransportStats stats() const = 0;
  // How this connection writes and reads, for the status file: "append" normally; a server
  // lacking commands shows e.g. "rewrite (server lacks APPE)" or "full fetch (server lacks
  // REST)". Capabilities are learnt by trying, so the mode may change after the first send.
  virtual std::string mode() const { return "append"; }
};

}  // namespace ftpchat
