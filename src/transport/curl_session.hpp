// CurlSession: one persistent libcurl connection for one Transport. It applies the options
// every transfer needs (timeouts, netrc, keepalive, TLS trust, trace), runs one request,
// retries once on a connection that died while idle, and keeps the statistics. What a
// request means in protocol terms (commands, file method) is the caller's business.
// A download goes to CurlReply::body, or piece by piece to a sink (memory bounded whatever
// the file's size); a sink that says stop ends the transfer (CurlReply::cancelled).
// Over HTTP only a 2xx body reaches the sink: an error reply's body (S3's XML error, a
// WebDAV status page) goes to CurlReply::body, so a sink never sees bytes of an error.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "curl_handle.hpp"
#include "ftpchat/core/logger.hpp"
#include "ftpchat/core/secret.hpp"
#include "ftpchat/transport/curl_transport.hpp"
#include "ftpchat/transport/transport.hpp"

namespace ftpchat {

enum class RequestKind {
  download,  // body to CurlRequest::sink if set, else CurlReply::body (RETR, LIST)
  upload,    // CurlRequest::data to the URL (STOR)
  append,    // CurlRequest::data appended to the URL (APPE)
  commands,  // no transfer: only the quote commands (NOBODY; HTTP: HEAD unless `method`)
};

struct CurlRequest {
  RequestKind kind = RequestKind::download;
  std::string url;
  std::string_view data;               // upload/append payload; must outlive run()
  std::uint64_t resume_from = 0;       // download start offset (REST)
  const ByteSink* sink = nullptr;      // download: receives the pieces; must outlive run()
  bool skip_size = false;              // do not ask the size first (saves a round trip)
  bool keep_reply_lines = false;       // FTP: keep every control reply line (STAT's listing)
  std::vector<std::string> quote;      // raw commands before the transfer
  std::vector<std::string> prequote;   // FTP: raw commands right before RETR/STOR (after TYPE)
  std::vector<std::string> postquote;  // raw commands after a successful transfer
  std::vector<std::pair<CURLoption, long>> extra_options;  // per-request protocol tweaks
  std::vector<std::string> headers;    // HTTP request headers ("Name: value")
  std::string method;                  // HTTP method if not the kind's usual (DELETE, MKCOL)
};

struct HttpHeader {
  std::string name;   // as the server wrote it
  std::string value;  // without surrounding blanks
};

struct CurlReply {
  CURLcode code = CURLE_OK;
  long response_code = 0;
  std::string body;            // the download, unless it went to a sink
  std::uint64_t received = 0;  // bytes handed to the body or the sink
  bool cancelled = false;      // the sink returned false (code is then CURLE_WRITE_ERROR)
  std::string last_reply;      // the last protocol reply line ("257 ..."), "" if none
  std::string server_reply;    // last_reply if it was 4xx/5xx, else ""
  std::string error_text;      // libcurl's error buffer
  std::vector<std::string> reply_lines;  // keep_reply_lines: every FTP reply line, in order
  std::vector<HttpHeader> headers;  // HTTP: the final response's headers
  bool ok() const { return code == CURLE_OK; }
  // HTTP: the transfer worked and the status is 2xx (response_code holds the status).
  bool http_ok() const { return ok() && response_code >= 200 && response_code < 300; }
  // HTTP: a response header's value by case-insensitive name, "" if absent.
  std::string header(std::string_view name) const;
};

// What differs per protocol in how a session runs.
struct CurlProtocol {
  std::function<void(CURL*)> set_options;  // the scheme's own options, after the common ones
  // FTP: count connections by the server's "220" greeting, because libcurl's
  // CURLINFO_NUM_CONNECTS also counts every passive data connection.
  bool greeting_marks_connection = false;
  // HTTP: response headers are kept (CurlReply::headers) and non-2xx bodies kept from sinks.
  bool http = false;
};

class CurlSession {
 public:
  // `password` (may be empty: URL user only, ~/.netrc or anonymous) is kept in guarded memory
  // and handed to libcurl per request, so request URLs never carry it.
  CurlSession(const TransportOptions& opts, Logger& log, CurlProtocol protocol,
              std::string_view password);
  CurlSession(const CurlSession&) = delete;
  CurlSession& operator=(const CurlSession&) = delete;

  CurlReply run(const CurlRequest& request);
  TransportStats stats() const;

 private:
  // State the libcurl callbacks see during one attempt.
  struct Exchange {
    std::string* body = nullptr;
    const ByteSink* sink = nullptr;  // if set, the download goes here instead of body
    std::uint64_t received = 0;
    bool cancelled = false;
    std::string_view upload;
    std::size_t upload_pos = 0;
    std::string last_reply;
    std::vector<std::string>* reply_lines = nullptr;  // set: every reply line goes here
    std::uint64_t greetings = 0;  // "220 " reply lines seen
    Logger* log = nullptr;
    bool http = false;
    long http_status = 0;  // of the latest status line ("HTTP/1.1 206 ...")
    std::vector<HttpHeader> headers;
  };
  CurlReply attempt(const CurlRequest& request);
  void set_common_options(const CurlRequest& request, Exchange& exchange);

  static size_t on_write(char* ptr, size_t size, size_t count, void* user) noexcept;
  static size_t on_read(char* buffer, size_t size, size_t count, void* user) noexcept;
  static int on_seek(void* user, curl_off_t offset, int origin) noexcept;
  static size_t on_header(char* ptr, size_t size, size_t count, void* user) noexcept;
  static int on_debug(CURL* handle, curl_infotype type, char* data, size_t size,
                      void* user) noexcept;

  TransportOptions opts_;
  Logger& log_;
  CurlProtocol protocol_;
  SecretBytes password_;  // NUL-terminated for libcurl; empty if there is none
  CurlHandle handle_;
  char error_buffer_[CURL_ERROR_SIZE] = {};
  // Atomic so that stats() may be read from another thread while a transfer runs.
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> bytes_down_{0};
  std::atomic<std::uint64_t> bytes_up_{0};
  std::atomic<std::uint64_t> connections_{0};
};

}  // namespace ftpchat
