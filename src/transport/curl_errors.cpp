// libcurl result + protocol reply -> Errc, with the per-operation exceptions spelled out.
// The detail prefers the server's own words (its 4xx/5xx reply) over libcurl's summary,
// because "550 Permission denied" tells the user more than "QUOT command failed with 550".
#include "curl_errors.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace ftpchat {
namespace {

bool contains_word(std::string_view text, std::string_view word) {
  auto it = std::search(text.begin(), text.end(), word.begin(), word.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == b;
  });
  return it != text.end();
}

// FTP reuses 550 for "no such file" and "permission denied"; only the text tells them apart.
bool says_permission(std::string_view reply) {
  return contains_word(reply, "permission") || contains_word(reply, "denied") ||
         contains_word(reply, "not allowed") || contains_word(reply, "forbidden");
}

// Rules for codes where libcurl only says "the server refused" and the reply code decides:
// 1. 530 (not logged in) anywhere is a login problem.
// 2. 550/450 mean missing, unless the server's text says it is about permission.
// 3. 553 (name not allowed) and 532 (need account) are permission problems.
// 4. 421 (service closing) means the server went away.
// 5. 522 and 534 (RFC 4217: data channel protection refused, TLS policy) are TLS problems.
Errc from_reply(long response_code, std::string_view reply) {
  switch (response_code) {
    case 522:
    case 534:
      return Errc::tls;
    case 530:
      return Errc::login_refused;
    case 450:
    case 550:
      return says_permission(reply) ? Errc::permission : Errc::not_found;
    case 532:
    case 553:
      return Errc::permission;
    case 421:
      return Errc::unreachable;
    default:
      return Errc::protocol;
  }
}

// HTTP statuses (RFC 9110, WebDAV's RFC 4918, S3's error codes in the reply text):
// 1. 401, and 403 for a key or signature S3 does not accept, are login problems; other 403s
//    are permission problems.
// 2. 404 and 410 mean missing; 412 (If-None-Match: * on an existing object) means exists.
// 3. 405 and 501 mean the server lacks the method; 413 means too large; 416 (a range past
//    the end) means the file is shorter than asked.
// 4. 408, 429 and 5xx mean the server is away or overloaded for now: try again later.
// 5. Anything else (400, 409, ...) is a protocol problem the caller may know better.
Errc from_http_status(long status, std::string_view reply) {
  switch (status) {
    case 401:
      return Errc::login_refused;
    case 403:
      return contains_word(reply, "invalidaccesskeyid") ||
                     contains_word(reply, "signaturedoesnotmatch")
                 ? Errc::login_refused
                 : Errc::permission;
    case 404:
    case 410:
      return Errc::not_found;
    case 412:
      return Errc::exists;
    case 405:
    case 501:
      return Errc::unsupported;
    case 413:
      return Errc::too_large;
    case 416:
      return Errc::bad_data;
    case 408:
    case 429:
      return Errc::unreachable;
    default:
      return status >= 500 ? Errc::unreachable : Errc::protocol;
  }
}

Errc classify(const CurlFailure& f) {
  if (f.cancelled) return Errc::cancelled;
  if (f.flavour == CurlFlavour::http) {
    if (f.code == CURLE_OK || f.code == CURLE_HTTP_RETURNED_ERROR)
      return from_http_status(f.response_code, f.server_reply);
  }
  if (f.flavour == CurlFlavour::sftp && f.code == CURLE_QUOTE_ERROR)  // "failure" or denied
    return contains_word(f.server_reply, "permission denied") ? Errc::permission : Errc::protocol;
  if (f.code == CURLE_LOGIN_DENIED || f.response_code == 530) return Errc::login_refused;
  switch (f.code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_FTP_CANT_GET_HOST:
    case CURLE_FTP_ACCEPT_FAILED:
      return Errc::unreachable;
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_FTP_ACCEPT_TIMEOUT:
      return Errc::timeout;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CLIENTCERT:
      return Errc::tls;
    case CURLE_PARTIAL_FILE:  // the data connection ended early, or "150" then an error reply
      return f.response_code >= 400 ? from_reply(f.response_code, f.server_reply)
                                    : Errc::unreachable;
    case CURLE_REMOTE_FILE_NOT_FOUND:
      return Errc::not_found;
    case CURLE_REMOTE_ACCESS_DENIED:  // CWD refused: usually a missing directory
      return says_permission(f.server_reply) ? Errc::permission : Errc::not_found;
    case CURLE_FTP_COULDNT_RETR_FILE:
    case CURLE_UPLOAD_FAILED:
    case CURLE_QUOTE_ERROR:
      return from_reply(f.response_code, f.server_reply);
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_NOT_BUILT_IN:
    case CURLE_FTP_COULDNT_USE_REST:
    case CURLE_FTP_PRET_FAILED:
      return Errc::unsupported;
    case CURLE_URL_MALFORMAT:
      return Errc::invalid_argument;
    case CURLE_FILESIZE_EXCEEDED:
      return Errc::too_large;
    case CURLE_BAD_DOWNLOAD_RESUME:
      return Errc::bad_data;
    case CURLE_OUT_OF_MEMORY:
    case CURLE_FAILED_INIT:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_UNKNOWN_OPTION:
    case CURLE_WRITE_ERROR:
    case CURLE_READ_ERROR:
    case CURLE_ABORTED_BY_CALLBACK:
      return Errc::internal;
    default:
      return f.response_code >= 400 ? from_reply(f.response_code, f.server_reply) : Errc::protocol;
  }
}

std::string reason(const CurlFailure& f) {
  if (f.cancelled) return "stopped by the receiver";
  if (f.flavour == CurlFlavour::http && f.code == CURLE_OK && f.server_reply.empty())
    return "the server answered HTTP " + std::to_string(f.response_code);
  std::string text(!f.server_reply.empty() ? f.server_reply
                   : !f.error_text.empty() ? f.error_text
                                           : std::string_view(curl_easy_strerror(f.code)));
  while (!text.empty() &&
         (text.back() == '.' || text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.pop_back();
  // libcurl's messages start with a capital ("Failed to connect"); ours are fragments.
  if (f.server_reply.empty() && !text.empty())
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

}  // namespace

Error map_curl_error(const CurlFailure& failure, std::string_view what) {
  return make_error(classify(failure), std::string(what) + ": " + reason(failure));
}

}  // namespace ftpchat
