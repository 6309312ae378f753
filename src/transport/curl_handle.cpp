// Transfers through the multi interface. Measured with libcurl 7.88.1: curl_easy_perform
// stalls passive FTP transfers by 1 s at random (poll(control, 1000) before the data
// connection); driving the same handle with curl_multi_perform and a curl_multi_poll of at
// most 5 ms (less when curl_multi_timeout asks for less) removed every stall. The connection cache belongs to the multi handle, so keeping one
// multi per easy handle is what makes the connection persist between transfers.
#include "curl_handle.hpp"

namespace ftpchat {

namespace {
constexpr int poll_timeout_ms = 5;
}

SlistPtr make_slist(const std::vector<std::string>& items, bool& ok) {
  ok = true;
  SlistPtr list;
  for (const auto& item : items) {
    curl_slist* grown = curl_slist_append(list.get(), item.c_str());
    if (grown == nullptr) {
      ok = false;
      return nullptr;
    }
    (void)list.release();  // curl_slist_append returned the same head or a new one owning it
    list.reset(grown);
  }
  return list;
}

CurlGlobal::CurlGlobal() : ok_(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK) {}

CurlGlobal::~CurlGlobal() {
  if (ok_) curl_global_cleanup();
}

CurlHandle::CurlHandle() {
  if (!global_.ok()) return;
  multi_.reset(curl_multi_init());
  easy_.reset(curl_easy_init());
}

CURLcode CurlHandle::perform() {
  if (!ok()) return CURLE_FAILED_INIT;
  CURLM* multi = multi_.get();
  CURL* easy = easy_.get();
  if (curl_multi_add_handle(multi, easy) != CURLM_OK) return CURLE_FAILED_INIT;

  CURLcode result = CURLE_OK;
  int running = 1;
  while (running > 0) {
    CURLMcode mc = curl_multi_perform(multi, &running);
    // Wait for a socket, but never past the moment libcurl asks to be called again: after
    // an EPSV reply it wants to open the data connection at once (timeout 0), and a fixed
    // 5 ms wait there was most of a send's latency.
    long wanted = -1;
    if (mc == CURLM_OK && running > 0) mc = curl_multi_timeout(multi, &wanted);
    const int wait_ms =
        wanted >= 0 && wanted < poll_timeout_ms ? static_cast<int>(wanted) : poll_timeout_ms;
    if (mc == CURLM_OK && running > 0 && wait_ms > 0)
      mc = curl_multi_poll(multi, nullptr, 0, wait_ms, nullptr);
    if (mc != CURLM_OK) {
      result = mc == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY : CURLE_FAILED_INIT;
      running = 0;
    }
  }
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
    if (msg->msg == CURLMSG_DONE && msg->easy_handle == easy) result = msg->data.result;
  }
  curl_multi_remove_handle(multi, easy);
  return result;
}

}  // namespace ftpchat
