// RAII owners for libcurl handles, and CurlHandle: one easy handle driven through its own
// multi handle, which keeps the connection open between transfers.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>
#include <vector>

namespace ftpchat {

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct MultiDeleter {
  void operator()(CURLM* h) const { curl_multi_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;
using MultiPtr = std::unique_ptr<CURLM, MultiDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

// Null for an empty list (libcurl reads a null list as "none"). `ok` is false on allocation
// failure.
SlistPtr make_slist(const std::vector<std::string>& items, bool& ok);

// libcurl's global state, reference counted by libcurl itself (thread-safe since 7.84).
class CurlGlobal {
 public:
  CurlGlobal();
  ~CurlGlobal();
  CurlGlobal(const CurlGlobal&) = delete;
  CurlGlobal& operator=(const CurlGlobal&) = delete;
  bool ok() const { return ok_; }

 private:
  bool ok_ = false;
};

class CurlHandle {
 public:
  CurlHandle();
  CurlHandle(const CurlHandle&) = delete;
  CurlHandle& operator=(const CurlHandle&) = delete;

  bool ok() const { return global_.ok() && easy_ && multi_; }
  CURL* easy() { return easy_.get(); }
  // Forgets every option of the previous transfer but keeps the open connection.
  void reset() { curl_easy_reset(easy_.get()); }
  // Runs the transfer configured on easy() to completion.
  CURLcode perform();

 private:
  CurlGlobal global_;  // declared first: outlives the handles below
  MultiPtr multi_;
  EasyPtr easy_;  // destroyed before multi_, as libcurl requires
};

}  // namespace ftpchat
