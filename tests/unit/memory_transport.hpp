// An in-memory Transport for engine tests where the network is not the point. It behaves
// like a well-behaved server: directories, sizes in listings, appends, atomic create.
// Downloads arrive in small pieces (read_piece), so every engine test crosses piece borders.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "ftpchat/transport/transport.hpp"

namespace ftpchat::testing {

class MemoryTransport final : public Transport {
 public:
  std::map<std::string, std::string> files;  // path -> bytes; tests edit these directly
  std::set<std::string> dirs{""};
  std::vector<std::string> listed;           // every directory listed, in order
  std::vector<std::string> read_paths;       // every file read (read_to), in order
  std::set<std::string> unlisted;            // files left out of listings (a listing cut short)
  // Lands in the file just before the next append to it: an append given up on that the
  // server finishes late (a "ghost").
  std::string ghost_before_next_append;
  std::string last_failed_append;            // the bytes of the last append made to fail
  int fail_next_appends = 0;                 // appends to fail (after landing when land_failed)
  bool land_failed_appends = false;
  int appends = 0;                           // append calls seen (batching tests)
  bool refuse_appends = false;               // appends fail with a reply, as on a full disk
  int refused_appends = 0;                   // ...and are counted here
  int fail_next_make_dirs = 0;               // make_dir calls to fail as a dropped connection
  bool refuse_make_dirs = false;             // make_dir fails as "permission denied"
  int fail_next_creates = 0;                 // create_file calls to fail likewise
  bool land_failed_creates = false;          // ...after landing (make_dir and create_file)
  std::string landed_create_bytes;           // if set, what such a landed create_file wrote
  std::size_t read_piece = 4096;             // read_to() hands a file over in pieces this big
  // The next read delivers at most this many bytes, then fails as a dropped connection.
  std::optional<std::uint64_t> fail_next_read_after;

  Result<std::vector<DirEntry>> list(const std::string& dir) override {
    ++stats_.requests;
    listed.push_back(dir);
    if (!dirs.count(dir)) return make_error(Errc::not_found, "no directory " + dir);
    const std::string prefix = dir.empty() ? "" : dir + "/";
    std::vector<DirEntry> out;
    for (const auto& d : dirs)
      if (!d.empty() && d.rfind(prefix, 0) == 0 && d.find('/', prefix.size()) == std::string::npos)
        out.push_back(DirEntry{d.substr(prefix.size()), true, std::nullopt});
    for (const auto& [path, data] : files)
      if (path.rfind(prefix, 0) == 0 && path.find('/', prefix.size()) == std::string::npos &&
          !unlisted.count(path))
        out.push_back(DirEntry{path.substr(prefix.size()), false, data.size()});
    return out;
  }
  Result<void> read_to(const std::string& path, std::uint64_t offset,
                       const ByteSink& sink) override {
    ++stats_.requests;
    read_paths.push_back(path);
    auto it = files.find(path);
    if (it == files.end()) return make_error(Errc::not_found, "no file " + path);
    if (offset > it->second.size()) return make_error(Errc::bad_data, "file shrank");
    std::string rest = it->second.substr(offset);  // a copy: a sink may edit `files`
    const auto fail_after = std::exchange(fail_next_read_after, std::nullopt);
    if (fail_after && *fail_after < rest.size()) rest.resize(*fail_after);
    const std::size_t piece = std::max<std::size_t>(1, read_piece);
    for (std::size_t at = 0; at < rest.size(); at += piece) {
      const std::string_view bytes = std::string_view(rest).substr(at, piece);
      stats_.bytes_downloaded += bytes.size();
      if (!sink(bytes)) return make_error(Errc::cancelled, "read of " + path + " stopped");
    }
    if (fail_after) return make_error(Errc::unreachable, "connection lost");
    return {};
  }
  Result<void> append(const std::string& path, std::string_view data) override {
    ++stats_.requests;
    ++appends;
    const auto slash = path.rfind('/');  // like a real server: the folder must exist
    if (!dirs.count(slash == std::string::npos ? "" : path.substr(0, slash)))
      return make_error(Errc::not_found, "550 no folder for " + path);
    if (refuse_appends) {
      ++refused_appends;
      return make_error(Errc::protocol, "appending to " + path + ": 452 No space left on device");
    }
    if (fail_next_appends > 0) {
      --fail_next_appends;
      last_failed_append = std::string(data);
      if (land_failed_appends) files[path] += data;
      return make_error(Errc::unreachable, "connection lost");
    }
    files[path] += std::exchange(ghost_before_next_append, "");
    files[path] += data;
    stats_.bytes_uploaded += data.size();
    return {};
  }
  Result<void> create_file(const std::string& path, std::string_view data) override {
    ++stats_.requests;
    if (files.count(path)) return make_error(Errc::exists, path + " exists");
    if (fail_next_creates > 0) {
      --fail_next_creates;
      if (land_failed_creates)
        files[path] = landed_create_bytes.empty() ? std::string(data) : landed_create_bytes;
      return make_error(Errc::unreachable, "connection lost");
    }
    files[path] = std::string(data);
    return {};
  }
  Result<void> make_dir(const std::string& path) override {
    ++stats_.requests;
    if (dirs.count(path)) return make_error(Errc::exists, path + " exists");
    if (refuse_make_dirs) return make_error(Errc::permission, "550 " + path + ": permission denied");
    if (fail_next_make_dirs > 0) {
      --fail_next_make_dirs;
      if (land_failed_creates) dirs.insert(path);
      return make_error(Errc::timeout, "timed out");
    }
    dirs.insert(path);
    return {};
  }
  std::string display_url() const override { return "memory:///"; }
  TransportStats stats() const override { return stats_; }

 private:
  TransportStats stats_;
};

// Lets several engines share one MemoryTransport (each engine owns its Transport);
// `before_append`, if set, runs before each append reaches the server (a test's look).
class SharedMemoryTransport final : public Transport {
 public:
  explicit SharedMemoryTransport(MemoryTransport& server, std::function<void()> before_append = {})
      : server_(server), before_append_(std::move(before_append)) {}
  Result<std::vector<DirEntry>> list(const std::string& d) override { return server_.list(d); }
  Result<void> read_to(const std::string& p, std::uint64_t o, const ByteSink& s) override {
    return server_.read_to(p, o, s);
  }
  Result<void> append(const std::string& p, std::string_view d) override {
    if (before_append_) before_append_();
    return server_.append(p, d);
  }
  Result<void> create_file(const std::string& p, std::string_view d) override {
    return server_.create_file(p, d);
  }
  Result<void> make_dir(const std::string& p) override { return server_.make_dir(p); }
  std::string display_url() const override { return server_.display_url(); }
  TransportStats stats() const override { return server_.stats(); }

 private:
  MemoryTransport& server_;
  std::function<void()> before_append_;
};

}  // namespace ftpchat::testing
