// The shared flow of the libcurl transports: checks, streaming reads with skipping, the
// append-or-rewrite decision, the retry point and the error mapping (see the header).
#include "curl_transport_base.hpp"

#include <sodium.h>

#include <algorithm>

#include "ftpchat/core/bytes.hpp"
#include "ftpchat/transport/ftp_list.hpp"

namespace ftpchat {
namespace {

CurlProtocol protocol_for(CurlFlavour flavour, std::function<void(CURL*)> set_options) {
  CurlProtocol protocol;
  protocol.set_options = std::move(set_options);
  protocol.greeting_marks_connection = flavour == CurlFlavour::ftp;
  protocol.http = flavour == CurlFlavour::http;
  return protocol;
}

// -o rewrite: sends rewrite the writer's file from the start, whatever the server offers.
CapabilityState with_options(CapabilityState state, const TransportOptions& opts) {
  if (opts.rewrite) {
    state.write = WriteWay::rewrite;
    state.write_note = "-o rewrite";
  }
  return state;
}

RemoteUrl without_password(RemoteUrl url) {
  sodium_memzero(url.password.data(), url.password.size());
  url.password.clear();
  return url;
}

}  // namespace

CurlTransportBase::CurlTransportBase(RemoteUrl url, const TransportOptions& opts, Logger& log,
                                     CurlFlavour flavour, CapabilityState initial)
    : url_(without_password(url)),
      log_(log),
      flavour_(flavour),
      caps_(with_options(std::move(initial), opts)),
      session_(opts, log, protocol_for(flavour, [this](CURL* easy) { set_protocol_options(easy); }),
               url.password) {
  sodium_memzero(url.password.data(), url.password.size());  // our copy of the caller's
}

Result<std::vector<DirEntry>> CurlTransportBase::list(const std::string& dir_in) {
  std::string dir = dir_in;
  if (!dir.empty() && dir.back() == '/') dir.pop_back();
  if (auto valid = check_relative_path(dir, true); !valid) return valid.error();
  return list_dir(dir);
}

Result<void> CurlTransportBase::read_to(const std::string& path, std::uint64_t offset,
                                        const ByteSink& sink) {
  if (auto valid = check_relative_path(path, false); !valid) return valid.error();
  const bool ranged = offset > 0 && caps_.ranged_reads();
  // Without ranged reads the whole file comes: the bytes before `offset` are dropped as they
  // pass, so memory stays one piece.
  std::uint64_t to_skip = ranged ? 0 : offset;
  const ByteSink skipping = [&to_skip, &sink](std::string_view piece) {
    const auto dropped = static_cast<std::size_t>(std::min<std::uint64_t>(to_skip, piece.size()));
    to_skip -= dropped;
    piece.remove_prefix(dropped);
    return piece.empty() || sink(piece);
  };
  Step step = download(path, ranged ? offset : 0, to_skip > 0 ? skipping : sink);
  switch (step.status) {
    case Step::Status::lacks:
      log_.info(step.notice);
      caps_.set_ranged_reads(false, step.note);
      return read_to(path, offset, sink);  // once: ranged reads are off now
    case Step::Status::failed:
      return step.error;
    case Step::Status::too_short:
      break;
    case Step::Status::done:
      if (to_skip == 0) return {};
      break;
  }
  return make_error(Errc::bad_data, "file " + url_.redacted_for(path) + " is shorter than the " +
                                        std::to_string(offset) + " bytes already read");
}

Result<void> CurlTransportBase::append(const std::string& path, std::string_view data) {
  if (auto valid = check_relative_path(path, false); !valid) return valid.error();
  if (caps_.appends()) {
    Step step = append_to(path, data);
    if (step.status == Step::Status::done) return {};
    if (step.status != Step::Status::lacks) return step.error;
    log_.info(step.notice);
    caps_.set_write(WriteWay::rewrite, step.note);
  }
  return rewrite_with(path, data);
}

Result<void> CurlTransportBase::create_file(const std::string& path, std::string_view data) {
  if (auto valid = check_relative_path(path, false); !valid) return valid.error();
  return create_exclusive(path, data);
}

Result<void> CurlTransportBase::make_dir(const std::string& path) {
  if (auto valid = check_relative_path(path, false); !valid) return valid.error();
  return make_folder(path);
}

Result<void> CurlTransportBase::replace(const std::string& path, std::string_view) {
  return make_error(Errc::unsupported, "cannot rewrite " + url_.redacted_for(path) +
                                           ": the server offers no way to replace a file");
}

// Append without an append command: each writer owns its file, so replacing it by a
// complete longer version is safe from other writers. Its content is kept after the first
// download: O(own history) uploaded per send, one download per mount.
Result<void> CurlTransportBase::rewrite_with(const std::string& path, std::string_view data) {
  auto cached = own_copies_.find(path);
  std::string content;
  if (cached != own_copies_.end()) {
    content = std::move(cached->second);
    own_copies_.erase(cached);  // back only once the server has the new version
  } else {
    auto current = read(path, 0);
    if (current)
      content = std::move(*current);
    else if (current.error().code != Errc::not_found)
      return current.error();
  }
  content.append(data);
  if (auto done = replace(path, content); !done) return done;
  own_copies_[path] = std::move(content);
  return {};
}

CurlReply CurlTransportBase::run(const CurlRequest& request) {
  before_request();
  CurlReply reply = session_.run(request);
  // Only a request that moved no byte may go again: a sink must never see a byte twice.
  if (!reply.ok() && reply.received == 0 && adapt_after_failure(reply))
    reply = session_.run(request);
  after_request(reply);
  return reply;
}

Error CurlTransportBase::failure(const CurlReply& reply, std::string_view action,
                                 std::string_view relative) const {
  CurlFailure f{reply.code,       reply.response_code, reply.server_reply,
                reply.error_text, reply.cancelled,     flavour_};
  if (flavour_ == CurlFlavour::sftp) {
    // SFTP has no reply lines: libcurl's text ("Permission denied") is the server's word.
    f.response_code = 0;
    f.server_reply = reply.code == CURLE_REMOTE_ACCESS_DENIED || reply.code == CURLE_QUOTE_ERROR
                         ? std::string_view(reply.error_text)
                         : std::string_view();
  }
  return map_curl_error(f, std::string(action) + " " + url_.redacted_for(relative));
}

Result<std::vector<DirEntry>> CurlTransportBase::list_long_names(const std::string& dir_slash,
                                                                 std::string_view line_kind) {
  CurlRequest request;
  request.url = url_.url_for(dir_slash);
  CurlReply reply = run(request);
  if (!reply.ok()) return failure(reply, "listing", dir_slash);
  FtpListing listing = parse_ftp_listing(reply.body);
  for (const auto& line : listing.unparsed)
    log_.debug("skipping unreadable " + std::string(line_kind) + " for " +
               url_.redacted_for(dir_slash) + ": " + line);
  return std::move(listing.entries);
}

Result<bool> CurlTransportBase::has_entry(const std::string& path) {
  const PathParts parts = split_relative_path(path);
  auto entries = list(parts.parent);
  if (!entries) return entries.error();
  return std::any_of(entries->begin(), entries->end(),
                     [&](const DirEntry& e) { return e.name == parts.name; });
}

std::string CurlTransportBase::temporary_name(const std::string& path) {
  const PathParts parts = split_relative_path(path);
  const std::string prefix = parts.parent.empty() ? "" : parts.parent + "/";
  return prefix + "." + parts.name + ".tmp-" + to_hex(as_chars(random_id()).substr(0, 8));
}

Error CurlTransportBase::already_exists(std::string_view path) const {
  return make_error(Errc::exists, url_.redacted_for(path) + " already exists");
}

Error CurlTransportBase::folder_exists(std::string_view path) const {
  return make_error(Errc::exists, "directory " + url_.redacted_for(path) + " already exists");
}

}  // namespace ftpchat
