// The Transport operations as S3 requests (path-style or virtual-host, see s3_names.hpp):
// 1. list: ListObjectsV2 with prefix and delimiter '/', page by page (continuation token);
//    common prefixes are folders. A folder exists while some key starts with its prefix
//    (its marker object "folder/" included); else listing it is not_found.
// 2. read: GET with a Range from the offset. 416 comes both at the end and past it, so a
//    HEAD tells which. A gateway that ignores Range (200) makes the base fetch whole files.
// 3. append: Ceph RGW's appendable objects (PUT ?append&position=N), probed once per mount
//    on a scratch object, because a server that ignores ?append would replace the file by
//    the new bytes alone. RGW refuses a stale position (409), so a resent append never
//    lands twice: on 409 the real length is learnt and the tail read back; if our bytes
//    are there, the earlier attempt landed. Without appendable objects (or -o rewrite) the
//    base rewrites the writer's own object, guarded by If-Match on the ETag it last saw.
// 4. create_file: PUT with If-None-Match: * (412: exists).
// 5. make_dir: folders are implicit; a folder "exists" once any key starts with its prefix,
//    and make_dir puts a marker object "folder/" (If-None-Match: *), so an existing room
//    gives exists, as mkdir(2) would.
// Every request carries x-amz-content-sha256: UNSIGNED-PAYLOAD (libcurl 7.88 signs the
// empty body's hash otherwise, which gateways refuse for uploads).
#include "s3_transport.hpp"

#include <sodium.h>

#include <charconv>
#include <map>

#include "aws_settings.hpp"
#include "curl_transport_base.hpp"
#include "ftpchat/core/bytes.hpp"
#include "s3_names.hpp"
#include "s3_xml.hpp"

namespace ftpchat {
namespace {

constexpr std::string_view kNextPosition = "x-rgw-next-append-position";

std::optional<std::uint64_t> number(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || err != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// RGW compares If-Match with the ETag without its quotes (a quoted one always fails there).
std::string unquoted(std::string etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"')
    etag = etag.substr(1, etag.size() - 2);
  return etag;
}

RemoteUrl with_secret(RemoteUrl url, std::string_view secret) {
  url.password.assign(secret);  // handed to the session's guarded memory, wiped here after
  return url;
}

class S3Transport final : public CurlTransportBase {
 public:
  S3Transport(const RemoteUrl& url, const TransportOptions& opts, Logger& log, AwsSettings settings,
              S3Endpoint endpoint)
      : CurlTransportBase(with_secret(url, settings.secret_access_key.view()), opts, log,
                          CurlFlavour::http),
        endpoint_(std::move(endpoint)),
        bucket_(url.host),
        prefix_(url.path.substr(1)),
        access_key_id_(settings.access_key_id),
        sigv4_("aws:amz:" + settings.region + ":s3"),
        session_token_(settings.session_token) {}

 protected:
  void set_protocol_options(CURL* easy) override {
    curl_easy_setopt(easy, CURLOPT_AWS_SIGV4, sigv4_.c_str());
    curl_easy_setopt(easy, CURLOPT_USERNAME, access_key_id_.c_str());
  }

  Result<std::vector<DirEntry>> list_dir(const std::string& dir) override {
    const std::string dir_slash = dir.empty() ? "" : dir + "/";
    const std::string prefix = prefix_ + dir_slash;
    std::vector<DirEntry> entries;
    bool anything = false;
    std::string token;
    for (;;) {
      QueryParams query = {{"list-type", "2"}, {"delimiter", "/"}, {"prefix", prefix}};
      if (!token.empty()) query.emplace_back("continuation-token", token);
      CurlReply reply = run(request("", canonical_query(std::move(query))));
      if (!reply.http_ok()) return failure(reply, "listing", dir_slash);
      auto page = parse_list_objects_v2(reply.body);
      if (!page)
        return make_error(Errc::protocol,
                          "listing " + url().redacted_for(dir_slash) + ": " + page.error().detail);
      anything |= !page->objects.empty() || !page->prefixes.empty();
      for (const std::string& p : page->prefixes) {
        if (p.size() <= prefix.size() + 1 || p.compare(0, prefix.size(), prefix) != 0) continue;
        entries.push_back(
            DirEntry{p.substr(prefix.size(), p.size() - prefix.size() - 1), true, {}});
      }
      for (const S3Object& o : page->objects) {
        if (o.key.size() <= prefix.size() || o.key.compare(0, prefix.size(), prefix) != 0)
          continue;  // the folder's own marker
        entries.push_back(DirEntry{o.key.substr(prefix.size()), false, o.size});
      }
      if (!page->truncated || page->next_token.empty()) break;
      token = page->next_token;
    }
    if (!anything && !dir.empty())
      return make_error(Errc::not_found,
                        "listing " + url().redacted_for(dir_slash) + ": no such folder");
    return entries;
  }

  Step download(const std::string& path, std::uint64_t from, const ByteSink& sink) override {
    CurlRequest get = request(key_of(path), "");
    get.resume_from = from;  // libcurl sends Range: bytes=FROM-
    get.sink = &sink;
    CurlReply reply = run(get);
    if (reply.code == CURLE_RANGE_ERROR)  // a 200 to a ranged GET: no byte was handed over
      return Step::lacking(
          "server ignores Range",
          "the server ignores Range; fetching whole objects from " + url().redacted());
    if (reply.http_ok()) {
      if (from == 0 && !capabilities().appends())
        etags_[path] = reply.header("ETag");  // for If-Match
      return Step::ok();
    }
    if (!reply.ok() || reply.response_code != 416)
      return Step::failure(failure(reply, "reading", path));
    auto size = object_size(path);  // 416 at the end and past it alike
    if (!size) return Step::failure(size.error());
    if (*size < from) return Step::shorter();
    if (*size == from) return Step::ok();
    return Step::failure(make_error(Errc::protocol, "reading " + url().redacted_for(path) +
                                                        ": the server refused a range inside it"));
  }

  Step append_to(const std::string& path, std::string_view data) override {
    if (!appends_probed_) {
      Step probe = probe_appends(path);
      if (probe.status != Step::Status::done) return probe;
    }
    auto position = append_position(path);
    if (!position) return Step::failure(position.error());
    CurlReply reply = put_append(path, *position, data);
    if (reply.http_ok()) return appended(path, *position, data, reply);
    if (!reply.ok() || reply.response_code != 409 ||
        parse_s3_error(reply.body).code != "PositionNotEqualToLength")
      return Step::failure(failure(reply, "appending to", path));
    // Stale position: an earlier append landed without our hearing, or another writer.
    const auto real = number(reply.header(kNextPosition));
    if (!real) return Step::failure(failure(reply, "appending to", path));
    positions_[path] = *real;
    if (*real >= data.size() && *real > *position) {
      auto tail = read_range(path, *real - data.size());
      if (tail && *tail == data) {
        log().debug("append to " + url().redacted_for(path) + " had landed already");
        return Step::ok();
      }
    }
    reply = put_append(path, *real, data);
    if (reply.http_ok()) return appended(path, *real, data, reply);
    positions_.erase(path);
    return Step::failure(failure(reply, "appending to", path));
  }

  // Rewrite mode: the writer's whole object, only if it is still the version we last saw.
  Result<void> replace(const std::string& path, std::string_view content) override {
    CurlRequest put = request(key_of(path), "");
    put.kind = RequestKind::upload;
    put.data = content;
    auto etag = etags_.find(path);
    put.headers.push_back(etag != etags_.end() && !etag->second.empty()
                              ? "If-Match: " + unquoted(etag->second)
                              : "If-None-Match: *");
    CurlReply reply = run(put);
    if (reply.http_ok()) {
      etags_[path] = reply.header("ETag");
      return {};
    }
    etags_.erase(path);  // read again (with its ETag) before the next try
    if (reply.ok() && reply.response_code == 412)
      return make_error(Errc::protocol, "rewriting " + url().redacted_for(path) +
                                            ": it changed on the server since it was read");
    return failure(reply, "rewriting", path);
  }

  Result<void> create_exclusive(const std::string& path, std::string_view data) override {
    CurlRequest put = request(key_of(path), "");
    put.kind = RequestKind::upload;
    put.data = data;
    put.headers.push_back("If-None-Match: *");
    CurlReply reply = run(put);
    if (reply.http_ok()) return {};
    if (reply.ok() && reply.response_code == 412) return already_exists(path);
    return failure(reply, "creating", path);
  }

  Result<void> make_folder(const std::string& path) override {
    const std::string marker = key_of(path + "/");
    CurlReply listed = run(
        request("", canonical_query({{"list-type", "2"}, {"max-keys", "1"}, {"prefix", marker}})));
    if (!listed.http_ok()) return failure(listed, "making directory", path);
    auto page = parse_list_objects_v2(listed.body);
    if (!page)
      return make_error(Errc::protocol, "making directory " + url().redacted_for(path) + ": " +
                                            page.error().detail);
    if (!page->objects.empty() || !page->prefixes.empty()) return folder_exists(path);
    CurlRequest put = request(marker, "");
    put.kind = RequestKind::upload;
    put.headers.push_back("If-None-Match: *");
    CurlReply reply = run(put);
    if (reply.http_ok()) return {};
    if (reply.ok() && reply.response_code == 412) return folder_exists(path);
    return failure(reply, "making directory", path);
  }

  // HTTP replies carry the reason in an XML document: "404 NoSuchKey: message".
  Error failure(const CurlReply& reply, std::string_view action,
                std::string_view relative) const override {
    if (!reply.ok() || reply.response_code < 300)
      return CurlTransportBase::failure(reply, action, relative);
    const S3ErrorReply error = parse_s3_error(reply.body);
    std::string text = std::to_string(reply.response_code);
    if (!error.code.empty()) text += " " + error.code;
    if (!error.message.empty()) text += ": " + error.message;
    CurlReply described = reply;
    described.server_reply = text;
    return CurlTransportBase::failure(described, action, relative);
  }

 private:
  std::string key_of(std::string_view relative) const { return prefix_ + std::string(relative); }

  CurlRequest request(const std::string& key, std::string query) const {
    CurlRequest r;
    r.url = s3_request_url(endpoint_, bucket_, key, query);
    r.headers.push_back("x-amz-content-sha256: UNSIGNED-PAYLOAD");
    if (!session_token_.empty()) r.headers.push_back("x-amz-security-token: " + session_token_);
    return r;
  }

  Result<std::uint64_t> object_size(const std::string& path) {
    CurlRequest head = request(key_of(path), "");
    head.kind = RequestKind::commands;  // HEAD
    CurlReply reply = run(head);
    if (!reply.http_ok()) return failure(reply, "reading", path);
    auto size = number(reply.header("Content-Length"));
    if (!size)
      return make_error(Errc::protocol, "reading " + url().redacted_for(path) +
                                            ": the server gave no Content-Length");
    return *size;
  }

  // Bytes [from, end) of an object, for checking an append's tail (small).
  Result<std::string> read_range(const std::string& path, std::uint64_t from) {
    std::string out;
    const ByteSink collect = [&out](std::string_view piece) {
      out.append(piece);
      return true;
    };
    Step step = download(path, from, collect);
    if (step.status != Step::Status::done) return make_error(Errc::protocol, "short read");
    return out;
  }

  // The length of the writer's object: known after our own appends, else asked once.
  Result<std::uint64_t> append_position(const std::string& path) {
    if (auto known = positions_.find(path); known != positions_.end()) return known->second;
    auto size = object_size(path);
    if (!size && size.error().code == Errc::not_found) return positions_[path] = 0;
    if (!size) return size.error();
    return positions_[path] = *size;
  }

  CurlReply put_append(const std::string& path, std::uint64_t position, std::string_view data) {
    CurlRequest put = request(
        key_of(path), canonical_query({{"append", ""}, {"position", std::to_string(position)}}));
    put.kind = RequestKind::upload;
    put.data = data;
    return run(put);
  }

  Step appended(const std::string& path, std::uint64_t position, std::string_view data,
                const CurlReply& reply) {
    positions_[path] = number(reply.header(kNextPosition)).value_or(position + data.size());
    return Step::ok();
  }

  // Once per mount (append_probe_verdict): tried on a scratch object beside the writer's
  // file, so a server that ignores ?append can replace nothing that matters.
  Step probe_appends(const std::string& beside) {
    const std::string probe = temporary_name(beside) + ".append-probe";
    CurlReply reply = put_append(probe, 0, "probe\n");
    const AppendProbe verdict = append_probe_verdict(reply.ok() ? reply.response_code : 0,
                                                     !reply.header(kNextPosition).empty());
    if (verdict == AppendProbe::unknown)
      return Step::failure(failure(reply, "appending to", beside));
    if (reply.http_ok()) remove_quietly(probe);
    appends_probed_ = true;
    if (verdict == AppendProbe::no_appends)
      return Step::lacking("server lacks appendable objects",
                           "the server has no appendable objects; each send rewrites the "
                           "writer's object on " +
                               url().redacted());
    capabilities().set_write(WriteWay::append, "RGW appendable objects");
    return Step::ok();
  }

  void remove_quietly(const std::string& path) {
    CurlRequest del = request(key_of(path), "");
    del.kind = RequestKind::commands;
    del.method = "DELETE";
    CurlReply reply = run(del);
    if (!reply.http_ok()) log().debug("could not remove " + url().redacted_for(path));
  }

  const S3Endpoint endpoint_;
  const std::string bucket_;
  const std::string prefix_;  // the URL path as a key prefix: "" or "rooms/"
  const std::string access_key_id_;
  const std::string sigv4_;  // "aws:amz:REGION:s3"
  const std::string session_token_;
  bool appends_probed_ = false;
  std::map<std::string, std::uint64_t> positions_;  // path -> next append position
  std::map<std::string, std::string> etags_;        // path -> ETag last seen (rewrite mode)
};

}  // namespace

Result<std::unique_ptr<Transport>> make_s3_transport(const RemoteUrl& url,
                                                     const TransportOptions& opts, Logger& log) {
  AwsSources sources = aws_sources_from_environment();
  auto settings = resolve_aws_settings(sources, opts.endpoint, opts.region);
  sodium_memzero(sources.secret_access_key.data(), sources.secret_access_key.size());
  if (!settings) return settings.error();
  auto endpoint = parse_s3_endpoint(settings->endpoint, url.host);
  if (!endpoint) return endpoint.error();
  log.debug("s3: credentials from " + settings->credentials_from + ", region " + settings->region +
            ", endpoint " + s3_endpoint_text(*endpoint) +
            (endpoint->path_style ? " (path-style)" : " (virtual-host)"));
  std::unique_ptr<Transport> transport = std::make_unique<S3Transport>(
      url, opts, log, std::move(settings.value()), std::move(endpoint.value()));
  return transport;
}

}  // namespace ftpchat
