// One request on the persistent connection: options, callbacks, one retry, statistics.
#include "curl_session.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>

namespace ftpchat {
namespace {

long whole_seconds(std::chrono::milliseconds ms) {
  return std::max<long>(1, static_cast<long>((ms.count() + 999) / 1000));
}

bool starts_with_reply_code(std::string_view line) {
  return line.size() >= 3 && std::isdigit(static_cast<unsigned char>(line[0])) &&
         std::isdigit(static_cast<unsigned char>(line[1])) &&
         std::isdigit(static_cast<unsigned char>(line[2]));
}

std::string_view trim_line_end(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  return line;
}

// A connection that dies while idle in the pool fails the next request before anything
// was transferred; that request is safe to send again on a fresh connection (run() checks
// that nothing was: a sink must never see a byte twice).
bool worth_retrying(CURLcode code) {
  return code == CURLE_SEND_ERROR || code == CURLE_RECV_ERROR || code == CURLE_GOT_NOTHING;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

std::string_view trim_blanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// An HTTP error reply's body is kept for the error message only: never more than this.
constexpr std::size_t kMaxErrorBody = 64 * 1024;

// Trace lines that carry credentials (S3 signatures name the access key; WebDAV basic auth
// is the password itself) are shown without their value.
bool is_secret_header(std::string_view line) {
  return starts_with_nocase(line, "authorization:") ||
         starts_with_nocase(line, "x-amz-security-token:") ||
         starts_with_nocase(line, "proxy-authorization:");
}

}  // namespace

std::string CurlReply::header(std::string_view name) const {
  for (const auto& h : headers)
    if (iequals(h.name, name)) return h.value;
  return {};
}

CurlSession::CurlSession(const TransportOptions& opts, Logger& log, CurlProtocol protocol,
                         std::string_view password)
    : opts_(opts), log_(log), protocol_(std::move(protocol)) {
  if (!password.empty()) {
    password_ = SecretBytes(password.size() + 1);  // zero-filled: the last byte ends the string
    std::memcpy(password_.data(), password.data(), password.size());
  }
}

TransportStats CurlSession::stats() const {
  TransportStats s;
  s.requests = requests_.load();
  s.bytes_downloaded = bytes_down_.load();
  s.bytes_uploaded = bytes_up_.load();
  s.connections = connections_.load();
  return s;
}

CurlReply CurlSession::run(const CurlRequest& request) {
  CurlReply reply = attempt(request);
  if (reply.ok() || !worth_retrying(reply.code)) return reply;
  long new_connections = 1;
  curl_off_t uploaded = 0;
  curl_easy_getinfo(handle_.easy(), CURLINFO_NUM_CONNECTS, &new_connections);
  curl_easy_getinfo(handle_.easy(), CURLINFO_SIZE_UPLOAD_T, &uploaded);
  if (new_connections != 0 || uploaded != 0 || reply.received != 0) return reply;
  log_.debug("connection closed while idle; retrying on a new one");
  return attempt(request);
}

CurlReply CurlSession::attempt(const CurlRequest& request) {
  CurlReply reply;
  if (!handle_.ok()) {
    reply.code = CURLE_FAILED_INIT;
    return reply;
  }
  bool lists_ok = true;
  bool prequote_ok = true;
  bool postquote_ok = true;
  bool headers_ok = true;
  SlistPtr quote = make_slist(request.quote, lists_ok);
  SlistPtr prequote = make_slist(request.prequote, prequote_ok);
  SlistPtr postquote = make_slist(request.postquote, postquote_ok);
  SlistPtr headers = make_slist(request.headers, headers_ok);
  if (!lists_ok || !prequote_ok || !postquote_ok || !headers_ok) {
    reply.code = CURLE_OUT_OF_MEMORY;
    return reply;
  }

  Exchange exchange;
  exchange.body = &reply.body;
  if (request.kind == RequestKind::download) exchange.sink = request.sink;
  exchange.upload = request.data;
  exchange.log = &log_;
  exchange.http = protocol_.http;
  if (request.keep_reply_lines) exchange.reply_lines = &reply.reply_lines;
  handle_.reset();
  set_common_options(request, exchange);
  CURL* easy = handle_.easy();
  if (quote) curl_easy_setopt(easy, CURLOPT_QUOTE, quote.get());
  if (prequote) curl_easy_setopt(easy, CURLOPT_PREQUOTE, prequote.get());
  if (postquote) curl_easy_setopt(easy, CURLOPT_POSTQUOTE, postquote.get());
  if (headers) curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers.get());
  if (!request.method.empty())
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());

  reply.code = handle_.perform();
  ++requests_;

  if (protocol_.greeting_marks_connection) {
    connections_ += exchange.greetings;
  } else {
    long connects = 0;
    curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
    connections_ += static_cast<std::uint64_t>(std::max<long>(0, connects));
  }
  curl_off_t uploaded = 0;
  curl_easy_getinfo(easy, CURLINFO_SIZE_UPLOAD_T, &uploaded);
  bytes_up_ += static_cast<std::uint64_t>(std::max<curl_off_t>(0, uploaded));
  reply.received = exchange.received;
  reply.cancelled = exchange.cancelled;
  if (request.kind == RequestKind::download) bytes_down_ += reply.received;

  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &reply.response_code);
  reply.last_reply = std::move(exchange.last_reply);
  if (!reply.last_reply.empty() && reply.last_reply[0] >= '4')
    reply.server_reply = reply.last_reply;
  reply.error_text = error_buffer_;
  reply.headers = std::move(exchange.headers);
  return reply;
}

void CurlSession::set_common_options(const CurlRequest& request, Exchange& exchange) {
  CURL* easy = handle_.easy();
  error_buffer_[0] = '\0';
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer_);
  if (!password_.empty())
    curl_easy_setopt(easy, CURLOPT_PASSWORD, reinterpret_cast<const char*>(password_.data()));
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);  // we may run on any thread
  // Always a write callback: with NOBODY libcurl writes "Content-Length:" text for FTP.
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &CurlSession::on_write);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &exchange);
  // For FTP libcurl passes every server reply line to the header callback.
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &CurlSession::on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &exchange);

  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(opts_.connect_timeout.count()));
  // A dead server must never hang the caller: abort below 1 byte/s for stall_timeout, and
  // bound the wait for each control reply the same way.
  curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, whole_seconds(opts_.stall_timeout));
  curl_easy_setopt(easy, CURLOPT_SERVER_RESPONSE_TIMEOUT, whole_seconds(opts_.stall_timeout));
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPIDLE, 60L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPINTVL, 30L);
  curl_easy_setopt(easy, CURLOPT_NETRC, static_cast<long>(CURL_NETRC_OPTIONAL));

  if (!opts_.cacert.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, opts_.cacert.c_str());
  if (opts_.insecure) {
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  // libcurl asks "Expect: 100-continue" before a PUT body and waits up to a second for the
  // answer. Removing the header ("Expect:") would break AWS signatures (libcurl 7.88 signs
  // the removal as a header); not waiting for it costs nothing: the body follows at once.
  if (protocol_.http) curl_easy_setopt(easy, CURLOPT_EXPECT_100_TIMEOUT_MS, 0L);
  if (opts_.verbose) {
    curl_easy_setopt(easy, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(easy, CURLOPT_DEBUGFUNCTION, &CurlSession::on_debug);
    curl_easy_setopt(easy, CURLOPT_DEBUGDATA, &exchange);
  }

  switch (request.kind) {
    case RequestKind::download:
      if (request.resume_from > 0)
        curl_easy_setopt(easy, CURLOPT_RESUME_FROM_LARGE,
                         static_cast<curl_off_t>(request.resume_from));
      if (request.skip_size) curl_easy_setopt(easy, CURLOPT_IGNORE_CONTENT_LENGTH, 1L);
      break;
    case RequestKind::append:
      curl_easy_setopt(easy, CURLOPT_APPEND, 1L);
      [[fallthrough]];
    case RequestKind::upload:
      curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(easy, CURLOPT_READFUNCTION, &CurlSession::on_read);
      curl_easy_setopt(easy, CURLOPT_READDATA, &exchange);
      // libcurl sends a request again on a new connection when a reused one turns out to be
      // closed (HTTP servers drop idle keep-alive connections after a few seconds): without a
      // way to rewind the body that fails with CURLE_SEND_FAIL_REWIND.
      curl_easy_setopt(easy, CURLOPT_SEEKFUNCTION, &CurlSession::on_seek);
      curl_easy_setopt(easy, CURLOPT_SEEKDATA, &exchange);
      curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE,
                       static_cast<curl_off_t>(request.data.size()));
      break;
    case RequestKind::commands:
      curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
      break;
  }
  if (protocol_.set_options) protocol_.set_options(easy);
  for (const auto& [option, value] : request.extra_options) curl_easy_setopt(easy, option, value);
}

size_t CurlSession::on_write(char* ptr, size_t size, size_t count, void* user) noexcept {
  auto* exchange = static_cast<Exchange*>(user);
  const size_t bytes = size * count;
  if (bytes == 0) return 0;
  try {
    if (exchange->http && (exchange->http_status < 200 || exchange->http_status >= 300)) {
      const size_t keep = std::min(bytes, kMaxErrorBody - std::min(kMaxErrorBody,
                                                                  exchange->body->size()));
      exchange->body->append(ptr, keep);  // not counted as received: no sink saw it
      return bytes;
    }
    if (exchange->sink == nullptr) {
      exchange->body->append(ptr, bytes);
      exchange->received += bytes;
      return bytes;
    }
    exchange->received += bytes;  // the sink sees them even if it then says stop
    if ((*exchange->sink)(std::string_view(ptr, bytes))) return bytes;
    exchange->cancelled = true;
    return 0;  // anything but `bytes` ends the transfer with CURLE_WRITE_ERROR
  } catch (...) {
    return 0;  // libcurl reports CURLE_WRITE_ERROR (sinks must not throw: nothing crosses libcurl)
  }
}

int CurlSession::on_seek(void* user, curl_off_t offset, int origin) noexcept {
  auto* exchange = static_cast<Exchange*>(user);
  if (origin != SEEK_SET || offset < 0 ||
      static_cast<std::uint64_t>(offset) > exchange->upload.size())
    return CURL_SEEKFUNC_CANTSEEK;
  exchange->upload_pos = static_cast<std::size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

size_t CurlSession::on_read(char* buffer, size_t size, size_t count, void* user) noexcept {
  auto* exchange = static_cast<Exchange*>(user);
  const size_t room = size * count;
  const size_t left = exchange->upload.size() - exchange->upload_pos;
  const size_t n = std::min(room, left);
  std::memcpy(buffer, exchange->upload.data() + exchange->upload_pos, n);
  exchange->upload_pos += n;
  return n;
}

size_t CurlSession::on_header(char* ptr, size_t size, size_t count, void* user) noexcept {
  auto* exchange = static_cast<Exchange*>(user);
  const size_t bytes = size * count;
  const std::string_view line = trim_line_end(std::string_view(ptr, bytes));
  if (exchange->http) {
    try {
      if (line.substr(0, 5) == "HTTP/") {  // a new response (after 100 Continue, redirects)
        const std::size_t space = line.find(' ');
        exchange->http_status = space == std::string_view::npos
                                    ? 0
                                    : std::atol(std::string(line.substr(space + 1, 3)).c_str());
        exchange->headers.clear();
      } else if (const std::size_t colon = line.find(':'); colon != std::string_view::npos) {
        exchange->headers.push_back(HttpHeader{std::string(trim_blanks(line.substr(0, colon))),
                                               std::string(trim_blanks(line.substr(colon + 1)))});
      }
    } catch (...) {
      exchange->headers.clear();  // an allocation failure loses headers, not the transfer
    }
    return bytes;
  }
  if (exchange->reply_lines != nullptr) {
    try {
      exchange->reply_lines->emplace_back(line);
    } catch (...) {
      return 0;  // libcurl fails the request: a listing must not silently lose lines
    }
  }
  if (starts_with_reply_code(line)) {
    if (line.substr(0, 4) == "220 ") ++exchange->greetings;
    try {
      exchange->last_reply.assign(line);
    } catch (...) {
      exchange->last_reply.clear();
    }
  }
  return bytes;
}

int CurlSession::on_debug(CURL*, curl_infotype type, char* data, size_t size, void* user) noexcept {
  const char* prefix = nullptr;
  switch (type) {
    case CURLINFO_TEXT:
      prefix = "* ";
      break;
    case CURLINFO_HEADER_IN:
      prefix = "< ";
      break;
    case CURLINFO_HEADER_OUT:
      prefix = "> ";
      break;
    default:
      return 0;  // payload bytes are ciphertext or listings: not worth a log line
  }
  auto* exchange = static_cast<Exchange*>(user);
  try {
    std::string_view text(data, size);
    while (!text.empty()) {
      const size_t end = text.find('\n');
      std::string_view line = trim_line_end(text.substr(0, end));
      text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
      if (line.empty()) continue;
      std::string message = std::string("curl: ") + prefix;
      if (type == CURLINFO_HEADER_OUT && line.size() >= 4 &&
          (line.substr(0, 4) == "PASS" || line.substr(0, 4) == "pass"))
        message += "PASS ****";
      else if (type == CURLINFO_HEADER_OUT && is_secret_header(line))
        message += std::string(line.substr(0, line.find(':'))) + ": ****";
      else
        message += line;
      exchange->log->debug(message);
    }
  } catch (...) {
    // a trace line lost to allocation failure is not worth failing the transfer
  }
  return 0;
}

}  // namespace ftpchat
