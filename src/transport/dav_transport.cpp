// WebDAV operations as HTTP requests on one persistent connection (CurlTransportBase).
// 1. Listing: PROPFIND with Depth: 1 asking only for resourcetype and getcontentlength
//    (dav_propfind.hpp); anything but 207 Multi-Status means the URL is no WebDAV folder.
// 2. Reads: GET with "Range: bytes=N-" (libcurl's resume, which stops before the body of a
//    200: the server ignores ranges, and the base fetches whole files from then on). 206 is
//    the new bytes; 416 says the file is not longer than N, and a HEAD tells "at its end" (no
//    new bytes) from "shorter" (bad_data).
// 3. Folders: MKCOL; 405 means it exists, 409 that its parent is missing.
// 4. The room header: PUT with If-None-Match: *; 412 means it exists. Apache and lighttpd
//    write a PUT's body to a temporary file and rename it, so readers never see it partial.
// 5. Sends: by ranged PUT, guarded, where the first send's probe shows that the server writes
//    a Content-Range PUT where it is told (dav_append.hpp); else, or if that probe says so,
//    the base rewrites the writer's file: replace() PUTs the whole content to a temporary
//    name in the same folder and MOVEs it over the file (Overwrite: T), so readers only ever
//    see complete versions.
// 6. Temporary and probe files a failure left behind are deleted after the next send that
//    works (one DELETE each, until one is answered).
// 7. libcurl sends a request again by itself, on a new connection, when a reused one closes
//    before any byte of the reply: a request that landed may so be answered as if made twice.
//    A ranged PUT writes the same bytes at the same place again, a MOVE answers 404 (the send
//    fails and the engine finds out what landed), a MKCOL 405 (the folder exists: it does).
//    A PUT with If-None-Match: * answers 412, which counts as ours if the file holds exactly
//    the bytes we sent (a probe file, with its random name, always does).
#include "dav_transport.hpp"

#include <charconv>
#include <optional>
#include <set>

#include "curl_transport_base.hpp"
#include "ftpchat/core/bytes.hpp"
#include "ftpchat/transport/dav_append.hpp"
#include "ftpchat/transport/dav_propfind.hpp"

namespace ftpchat {
namespace {

constexpr std::string_view kUnprobed = "ranged PUT not probed yet";
// Sends that fail because the append probe could not decide, before rewrite mode is chosen.
constexpr int kMaxProbes = 3;

// "Expect:" turns off libcurl's "Expect: 100-continue" (it waits up to a second for the 100
// on big uploads, such as a rewrite past 1 MiB).
const std::vector<std::string> kNoExpect = {"Expect:"};

bool status_is(const CurlReply& reply, long status) {
  return reply.ok() && reply.response_code == status;
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || err != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The HTTP status a probe request got, 0 if it got none.
long status_of(const CurlReply& reply) { return reply.ok() ? reply.response_code : 0; }

CapabilityState initial_state() {
  CapabilityState state;
  state.write = WriteWay::append;
  state.write_note = std::string(kUnprobed);
  return state;
}

class DavTransport final : public CurlTransportBase {
 public:
  DavTransport(const RemoteUrl& url, const TransportOptions& opts, Logger& log)
      : CurlTransportBase(url, opts, log, CurlFlavour::http, initial_state()) {
    // MOVE names its target by a full URL on the same server; never with a user name in it.
    destination_base_ = CurlTransportBase::url();
    destination_base_.user.clear();
  }

 protected:
  void set_protocol_options(CURL* easy) override {
    // Basic auth, sent with the first request (no round trip to learn the scheme): over
    // dav:// the password crosses the network in clear, as it does over plain ftp://.
    curl_easy_setopt(easy, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    // HTTP/1.1 even where TLS could agree on HTTP/2: one request at a time gains nothing from
    // HTTP/2, and libcurl 7.88 loses lighttpd's 401 when a GOAWAY comes with it (about one
    // refused login in three then looks like a dropped connection).
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  }

  Result<std::vector<DirEntry>> list_dir(const std::string& dir) override {
    const std::string dir_slash = dir.empty() ? "" : dir + "/";
    CurlRequest request;
    request.kind = RequestKind::upload;  // a request body: what to list
    request.method = "PROPFIND";
    request.url = url().url_for(dir_slash);
    request.data = kPropfindListBody;
    request.headers = {"Depth: 1", "Content-Type: application/xml; charset=utf-8", "Expect:"};
    CurlReply reply = send(request);
    if (!reply.http_ok()) return failure(reply, "listing", dir_slash);
    const std::string where = url().redacted_for(dir_slash);
    if (reply.response_code != 207)
      return make_error(Errc::unsupported,
                        "listing " + where + ": the server answered PROPFIND with HTTP " +
                            std::to_string(reply.response_code) +
                            " instead of 207 Multi-Status; is this a WebDAV folder?");
    auto listing = parse_propfind(request.url, reply.body);
    if (!listing)
      return make_error(listing.error().code, "listing " + where + ": " + listing.error().detail);
    for (const auto& href : listing->unusable)
      log().debug("skipping unusable PROPFIND entry for " + where + ": " + href);
    if (!listing->saw_collection && !listing->unusable.empty())
      return make_error(Errc::protocol, "listing " + where +
                                            ": the server's reply names paths outside this "
                                            "folder (e.g. " +
                                            listing->unusable.front() + ")");
    return std::move(listing->entries);
  }

  Step download(const std::string& path, std::uint64_t from, const ByteSink& sink) override {
    CurlRequest request;
    request.url = url().url_for(path);
    request.resume_from = from;
    request.sink = &sink;
    CurlReply reply = send(request);
    if (reply.code == CURLE_RANGE_ERROR)
      return Step::lacking("server ignores Range",
                           "the server ignores Range requests; fetching "
                           "whole files from " +
                               url().redacted());
    if (status_is(reply, 416)) {  // no byte at `from`: at the end, or shorter?
      auto size = size_of(path);
      if (!size) return Step::failure(size.error());
      if (!*size)
        return Step::failure(make_error(Errc::not_found, url().redacted_for(path) + " is gone"));
      return **size < from ? Step::shorter() : Step::ok();
    }
    if (!reply.http_ok()) return Step::failure(failure(reply, "reading", path));
    return Step::ok();
  }

  Step append_to(const std::string& path, std::string_view data) override {
    if (data.empty()) return Step::ok();
    if (!probed_) {
      auto verdict = probe_beside(path);
      if (!verdict && ++undecided_probes_ < kMaxProbes) return Step::failure(verdict.error());
      if (!verdict)  // a connection that keeps failing the probe: settle on what always works
        verdict = DavAppendVerdict{
            DavAppendVerdict::Way::rewrite,
            "append probe undecided after " + std::to_string(kMaxProbes) + " tries"};
      if (verdict->way == DavAppendVerdict::Way::rewrite) {
        probed_ = true;
        return Step::lacking(verdict->note,
                             "the server does not append by ranged PUT (" + verdict->note +
                                 "); each send rewrites the writer's file on " + url().redacted());
      }
      probed_ = true;
      capabilities().set_write(WriteWay::append, verdict->note);
      log().info("appending by ranged PUT, size-checked, on " + url().redacted());
    }
    Step step = guarded_append(path, data);
    if (step.status == Step::Status::done) sweep_strays();
    return step;
  }

  Result<void> replace(const std::string& path, std::string_view content) override {
    const std::string temp = temporary_name(path);
    CurlReply put_reply = put(temp, content, {});
    if (!put_reply.http_ok()) {
      Error error = failure(put_reply, "rewriting", path);
      remove_or_remember(temp);
      return error;
    }
    CurlReply moved = move(temp, path);
    if (moved.http_ok()) {
      sweep_strays();
      return {};
    }
    Error error = failure(moved, "renaming into place", path);
    remove_or_remember(temp);  // gone already if the MOVE landed and only its reply was lost
    return error;
  }

  Result<void> create_exclusive(const std::string& path, std::string_view data) override {
    CurlReply reply = put(path, data, {"If-None-Match: *"});
    if (reply.http_ok()) return {};
    if (status_is(reply, 412)) return holds(path, data) ? Result<void>() : already_exists(path);
    return put_failure(reply, "creating", path);
  }

  Result<void> make_folder(const std::string& path) override {
    CurlRequest request;
    request.kind = RequestKind::download;  // no body; an error page goes to reply.body
    request.method = "MKCOL";
    request.url = url().url_for(path + "/");
    CurlReply reply = send(request);
    if (reply.http_ok()) return {};
    if (status_is(reply, 405)) return folder_exists(path);
    return put_failure(reply, "making directory", path);
  }

 private:
  // run(), except that a refusal the server stated counts as its answer: a server that refuses
  // a request with a body before reading it (401, 412) may close the connection while libcurl
  // is still sending, and libcurl then reports a transfer error, but the status it got is the
  // server's word.
  CurlReply send(const CurlRequest& request) {
    CurlReply reply = run(request);
    if (!reply.ok() && reply.response_code >= 400 && reply.received == 0) reply.code = CURLE_OK;
    return reply;
  }

  // Whether `path` holds exactly `data` (rule 7).
  bool holds(const std::string& path, std::string_view data) {
    auto back = read(path, 0);
    return back && *back == data;
  }

  // HEAD: the file's size, nullopt if it does not exist.
  Result<std::optional<std::uint64_t>> size_of(const std::string& path) {
    CurlRequest request;
    request.kind = RequestKind::commands;  // HEAD
    request.url = url().url_for(path);
    CurlReply reply = send(request);
    if (status_is(reply, 404)) return std::optional<std::uint64_t>();
    if (!reply.http_ok()) return failure(reply, "asking the size of", path);
    auto size = parse_size(reply.header("Content-Length"));
    if (!size)
      return make_error(Errc::protocol, "asking the size of " + url().redacted_for(path) +
                                            ": the server's HEAD reply has no Content-Length");
    return size;
  }

  // The guard of dav_append.hpp, rules 1-3 (rule 4: nothing is cached across calls).
  Step guarded_append(const std::string& path, std::string_view data) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto size = size_of(path);
      if (!size) return Step::failure(size.error());
      std::uint64_t offset = 0;
      CurlReply reply;
      if (!*size) {  // a new writer file: created whole, and only if it is still missing
        reply = put(path, data, {"If-None-Match: *"});
        if (status_is(reply, 412)) {
          if (holds(path, data)) return Step::ok();
          continue;  // it appeared meanwhile: ask its size again
        }
      } else {
        offset = **size;
        reply = put(path, data, {dav_content_range(offset, data.size())});
      }
      if (!reply.http_ok()) return Step::failure(put_failure(reply, "appending to", path));
      auto after = size_of(path);
      if (!after) return Step::failure(after.error());
      return Step::from(check_dav_append(offset, data.size(), *after, url().redacted_for(path)));
    }
    return Step::failure(make_error(Errc::protocol, "appending to " + url().redacted_for(path) +
                                                        ": it keeps appearing and vanishing"));
  }

  // The probe of dav_append.hpp, on a file of its own beside `path` (in the writer's folder,
  // which a send needs to be writable anyway). An error only if nothing could be decided.
  Result<DavAppendVerdict> probe_beside(const std::string& path) {
    const PathParts parts = split_relative_path(path);
    const std::string probe = (parts.parent.empty() ? "" : parts.parent + "/") + ".ftpchat-probe-" +
                              to_hex(as_chars(random_id()).substr(0, 8));
    DavProbe seen;
    std::optional<Error> first_error;  // of the first request that failed
    CurlReply created = put(probe, kDavProbeStart, {"If-None-Match: *"});
    if (status_is(created, 412)) created.response_code = 201;  // a random name: rule 7
    seen.create_status = status_of(created);
    if (!created.http_ok()) first_error = put_failure(created, "probing appends with", probe);
    if (created.http_ok()) {
      CurlReply ranged = put(probe, kDavProbeMore,
                             {dav_content_range(kDavProbeStart.size(), kDavProbeMore.size())});
      seen.ranged_status = status_of(ranged);
      if (!ranged.ok()) first_error = failure(ranged, "probing appends with", probe);
      if (ranged.http_ok()) {
        auto content = read(probe, 0);
        if (content)
          seen.content = std::move(*content);
        else
          first_error = content.error();
      }
    }
    remove_or_remember(probe);  // also after no answer: the PUT may have landed
    DavAppendVerdict verdict = decide_dav_append(seen);
    if (verdict.way != DavAppendVerdict::Way::undecided) return verdict;
    log().debug("append probe on " + url().redacted() + " decided nothing: " + verdict.note);
    if (first_error) return *first_error;
    return make_error(Errc::protocol,
                      "probing appends on " + url().redacted() + ": " + verdict.note);
  }

  CurlReply put(const std::string& path, std::string_view data, std::vector<std::string> headers) {
    CurlRequest request;
    request.kind = RequestKind::upload;
    request.url = url().url_for(path);
    request.data = data;
    request.headers = std::move(headers);
    request.headers.insert(request.headers.end(), kNoExpect.begin(), kNoExpect.end());
    return send(request);
  }

  CurlReply move(const std::string& from, const std::string& to) {
    CurlRequest request;
    request.kind = RequestKind::download;  // no body; an error page goes to reply.body
    request.method = "MOVE";
    request.url = url().url_for(from);
    request.headers = {"Destination: " + destination_base_.url_for(to), "Overwrite: T"};
    return send(request);
  }

  // A PUT or MKCOL refused with 409 Conflict: its folder is missing (RFC 4918, 9.7.1).
  Error put_failure(const CurlReply& reply, std::string_view action, std::string_view path) const {
    if (status_is(reply, 409))
      return make_error(Errc::not_found, std::string(action) + " " + url().redacted_for(path) +
                                             ": its folder does not exist (HTTP 409)");
    return failure(reply, action, path);
  }

  // DELETE; a file that could not be deleted is tried again after the next send that works.
  void remove_or_remember(const std::string& path) {
    CurlRequest request;
    request.kind = RequestKind::download;
    request.method = "DELETE";
    request.url = url().url_for(path);
    CurlReply reply = send(request);
    if (reply.http_ok() || status_is(reply, 404)) {
      strays_.erase(path);
      return;
    }
    log().debug("could not remove temporary file " + url().redacted_for(path) + "; trying later");
    strays_.insert(path);
  }

  void sweep_strays() {
    const std::set<std::string> strays = strays_;
    for (const std::string& path : strays) remove_or_remember(path);
  }

  RemoteUrl destination_base_;  // url() without the user name, for MOVE's Destination
  bool probed_ = false;         // the append probe decided (capabilities() says what)
  int undecided_probes_ = 0;
  std::set<std::string> strays_;  // temporary and probe files still to delete
};

}  // namespace

std::unique_ptr<Transport> make_dav_transport(const RemoteUrl& url, const TransportOptions& opts,
                                              Logger& log) {
  return std::make_unique<DavTransport>(url, opts, log);
}

}  // namespace ftpchat
