// The one mapping from libcurl results and protocol reply codes to ftpchat errors.
#pragma once

#include <curl/curl.h>

#include <string_view>

#include "ftpchat/core/error.hpp"

namespace ftpchat {

// Which protocol's reply codes `response_code` holds, and so which rules apply.
enum class CurlFlavour { ftp, sftp, http };

struct CurlFailure {
  CURLcode code = CURLE_OK;
  long response_code = 0;         // last FTP reply code or HTTP status, 0 if none
  std::string_view server_reply;  // FTP: last 4xx/5xx reply line; SFTP: libcurl's text for a
                                  // refused operation; HTTP: "STATUS [error code: message]"
  std::string_view error_text;    // libcurl's error buffer, "" if empty
  bool cancelled = false;         // a download's sink said stop: Errc::cancelled
  CurlFlavour flavour = CurlFlavour::ftp;
};

// `what` names the operation and its redacted target, e.g. "reading ftp://h/chat/room/log";
// the detail becomes "<what>: <server reply or libcurl's reason>". Over HTTP a transfer that
// worked (CURLE_OK) with a status of 400 or more is mapped by its status.
Error map_curl_error(const CurlFailure& failure, std::string_view what);

}  // namespace ftpchat
