// The WebDAV append probe's verdict and the ranged-PUT guard's checks (see dav_append.hpp).
#include "ftpchat/transport/dav_append.hpp"

namespace ftpchat {
namespace {

bool success(long status) { return status >= 200 && status < 300; }

std::string http(long status) { return "HTTP " + std::to_string(status); }

}  // namespace

DavAppendVerdict decide_dav_append(const DavProbe& probe) {
  using Way = DavAppendVerdict::Way;
  const std::string expected = std::string(kDavProbeStart) + std::string(kDavProbeMore);
  // Rules, in order:
  // 1. No answer, or a 5xx (server away or overloaded): nothing is known; the send fails as
  //    the probe did, and the next try probes again.
  if (probe.create_status == 0 || probe.create_status >= 500)
    return {Way::undecided, probe.create_status == 0
                                ? "append probe got no answer"
                                : "append probe failed, " + http(probe.create_status)};
  // 2. No folder for the probe file (404, 409: the writer's folder is not there yet): ask
  //    again at the next send, when it is.
  if (probe.create_status == 404 || probe.create_status == 409)
    return {Way::undecided, "append probe found no folder, " + http(probe.create_status)};
  // 3. The probe file itself refused (403, 405, ...): rewrite, which needs no more rights
  //    than a plain PUT and MOVE in the writer's own folder.
  if (!success(probe.create_status))
    return {Way::rewrite, "append probe refused, " + http(probe.create_status)};
  // 501 Not Implemented is a refusal (rule 4), other 5xx are trouble for now.
  if (probe.ranged_status == 0 || (probe.ranged_status >= 500 && probe.ranged_status != 501))
    return {Way::undecided, probe.ranged_status == 0
                                ? "append probe got no answer"
                                : "append probe failed, " + http(probe.ranged_status)};
  // 4. A refused ranged PUT (400 SabreDAV, lighttpd without partial-put-copy-modify; 501;
  //    405; 403): the server has no partial PUT.
  if (!success(probe.ranged_status))
    return {Way::rewrite, "server refuses Content-Range PUT, " + http(probe.ranged_status)};
  // 5. Accepted: only the bytes tell whether it was written where it was told.
  if (!probe.content) return {Way::undecided, "append probe could not read its file back"};
  if (*probe.content == expected) return {Way::ranged_put, "ranged PUT, size-checked"};
  if (*probe.content == kDavProbeMore)
    return {Way::rewrite, "server ignores Content-Range and replaces the file"};
  return {Way::rewrite, "server wrote a Content-Range PUT elsewhere than asked"};
}

std::string dav_content_range(std::uint64_t offset, std::uint64_t length) {
  return "Content-Range: bytes " + std::to_string(offset) + "-" +
         std::to_string(offset + length - 1) + "/*";
}

Result<void> check_dav_append(std::uint64_t offset, std::uint64_t length,
                              std::optional<std::uint64_t> size_after, std::string_view what) {
  const std::uint64_t expected = offset + length;
  if (size_after && *size_after == expected) return {};
  const std::string seen = size_after ? std::to_string(*size_after) + " bytes" : "of unknown size";
  return make_error(Errc::protocol, "appending to " + std::string(what) + ": the file is " + seen +
                                        " after writing " + std::to_string(length) +
                                        " bytes at offset " + std::to_string(offset) + ", not " +
                                        std::to_string(expected) +
                                        "; it is read again before the next send");
}

}  // namespace ftpchat
