// The one mapping from libcurl results and protocol reply codes to ftpchat errors.
#pragma once

#include <curl/curl.h>

#include <string_view>

#include "ftpchat/core/error.hpp"

namespace ftpchat {

struct CurlFailure {
  CURLcode code = CURLE_OK;
  long response_code = 0;         // last FTP reply code (CURLINFO_RESPONSE_CODE), 0 if none
  std::string_view server_reply;  // last reply line of class 4xx/5xx, "" if none
  std::string_view error_text;    // libcurl's error buffer, "" if empty
  bool cancelled = false;         // a download's sink said stop: Errc::cancelled
};

// `what` names the operation and its redacted target, e.g. "reading ftp://h/chat/room/log";
// the detail becomes "<what>: <server reply or libcurl's reason>".
Error map_curl_error(const CurlFailure& failure, std::string_view what);

}  // namespace ftpchat
