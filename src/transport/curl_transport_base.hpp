// CurlTransportBase: what every libcurl transport (FTP, SFTP, S3, WebDAV) shares, so that
// each protocol file holds only what its protocol means.
// - Connection: one CurlSession (persistent connection, idle-connection retry before the
//   first byte, statistics); every request goes through run(), the one place that adds a
//   protocol's own retry (adapt_after_failure) and where a connection pool would plug in.
// - Paths: every operation checks its base-relative path once, here.
// - Reads: read_to() streams to the caller's sink; without ranged reads the bytes before the
//   offset are dropped as they pass (memory stays one piece), and "shorter than the offset"
//   is reported the same way for every protocol.
// - Sends: append() uses the protocol's append while the server offers one, else rewrites
//   the writer's own file (its content kept in memory after the first read).
// - Capabilities: what the server lacks is learnt by trying, recorded in one Capabilities
//   object, and shown by mode() (ROOM/status "transport mode").
// - Errors: failure() maps a reply through map_curl_error with the protocol's flavour.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "capabilities.hpp"
#include "curl_errors.hpp"
#include "curl_session.hpp"
#include "ftpchat/core/logger.hpp"
#include "ftpchat/transport/curl_transport.hpp"
#include "ftpchat/transport/remote_url.hpp"
#include "ftpchat/transport/transport.hpp"
#include "relative_path.hpp"

namespace ftpchat {

// What a protocol step that may need a missing capability reports to the base.
struct Step {
  enum class Status {
    done,
    lacks,      // the server lacks what the step needs (APPE, REST, appendable objects)
    too_short,  // a read: the file is shorter than the offset asked for
    failed,
  };
  Status status = Status::done;
  std::string note;                 // lacks: for mode(), e.g. "server lacks APPE"
  std::string notice;               // lacks: one log line saying what changes from now on
  Error error{Errc::internal, ""};  // failed

  static Step ok() { return {}; }
  static Step lacking(std::string note, std::string notice) {
    return {Status::lacks, std::move(note), std::move(notice), {Errc::internal, ""}};
  }
  static Step shorter() { return {Status::too_short, "", "", {Errc::internal, ""}}; }
  static Step failure(Error error) { return {Status::failed, "", "", std::move(error)}; }
  static Step from(Result<void> result) { return result ? ok() : failure(result.error()); }
};

class CurlTransportBase : public Transport {
 public:
  Result<std::vector<DirEntry>> list(const std::string& dir) final;
  Result<void> read_to(const std::string& path, std::uint64_t offset, const ByteSink& sink) final;
  Result<void> append(const std::string& path, std::string_view data) final;
  Result<void> create_file(const std::string& path, std::string_view data) final;
  Result<void> make_dir(const std::string& path) final;

  std::string display_url() const final { return url_.redacted(); }
  TransportStats stats() const final { return session_.stats(); }
  std::string mode() const final { return caps_.describe(); }

 protected:
  // `url`'s password goes into the session's guarded memory and is wiped from the copy kept
  // here, so request URLs built from url() never carry it (they keep the user, so that
  // ~/.netrc can still supply a password).
  CurlTransportBase(RemoteUrl url, const TransportOptions& opts, Logger& log, CurlFlavour flavour,
                    CapabilityState initial = {});
  ~CurlTransportBase() override = default;

  // ---- What each protocol implements. Paths are checked already. ----
  // The scheme's own libcurl options, set before every attempt (after the common ones).
  virtual void set_protocol_options(CURL* easy) = 0;
  // Entries of `dir` ("" for the base, else "a/b" without a trailing '/').
  virtual Result<std::vector<DirEntry>> list_dir(const std::string& dir) = 0;
  // `path` from byte `from` (0 unless ranged reads are on) to its end, into `sink`.
  // lacks: the server refused to start at an offset; too_short: the file ends before `from`.
  virtual Step download(const std::string& path, std::uint64_t from, const ByteSink& sink) = 0;
  // Appends `data`, creating the file if missing. lacks: the server has no append.
  virtual Step append_to(const std::string& path, std::string_view data) = 0;
  // Rewrite mode: replaces `path` (or creates it) with `content` so that readers only ever
  // see complete versions. Only called after append_to() said lacks.
  virtual Result<void> replace(const std::string& path, std::string_view content);
  // Creates `path` only if it does not exist (exists otherwise), never visible partial.
  virtual Result<void> create_exclusive(const std::string& path, std::string_view data) = 0;
  // Creates a folder; exists if it is already there.
  virtual Result<void> make_folder(const std::string& path) = 0;
  // A request failed before any byte reached a body or sink: may the protocol change
  // something (e.g. a TLS version) so that sending it again can work? At most once.
  virtual bool adapt_after_failure(const CurlReply&) { return false; }
  // Called around every request (SFTP watches its host key check here).
  virtual void before_request() {}
  virtual void after_request(const CurlReply&) {}

  // ---- Shared by the protocols. ----
  // One request on the connection, with the protocol's one adapted retry.
  CurlReply run(const CurlRequest& request);
  // The error for a failed reply: `action` and the redacted URL of `relative`, then the
  // server's words. Virtual so that SFTP can put its host key refusal first.
  virtual Error failure(const CurlReply& reply, std::string_view action,
                        std::string_view relative) const;
  // `dir_slash` ("" or "a/b/") listed by a download of its URL whose body has "ls -l" style
  // lines (FTP LIST, SFTP); lines we cannot read go to the debug log as "skipping
  // unreadable <line_kind> ...".
  Result<std::vector<DirEntry>> list_long_names(const std::string& dir_slash,
                                                std::string_view line_kind);
  // Whether `path`'s parent lists an entry of its name.
  Result<bool> has_entry(const std::string& path);
  // A hidden name beside `path` for an upload that is renamed into place.
  static std::string temporary_name(const std::string& path);
  Error already_exists(std::string_view path) const;
  Error folder_exists(std::string_view path) const;

  const RemoteUrl& url() const { return url_; }
  Logger& log() const { return log_; }
  Capabilities& capabilities() { return caps_; }
  CurlFlavour flavour() const { return flavour_; }

 private:
  Result<void> rewrite_with(const std::string& path, std::string_view data);

  RemoteUrl url_;
  Logger& log_;
  const CurlFlavour flavour_;
  Capabilities caps_;
  std::map<std::string, std::string> own_copies_;  // path -> content, in rewrite mode
  CurlSession session_;  // last: its option callback reaches the derived class
};

}  // namespace ftpchat
