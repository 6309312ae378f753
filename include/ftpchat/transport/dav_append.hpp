// How a WebDAV mount appends, decided once per mount by a probe, and the guard around each
// append by ranged PUT. Pure decisions (no I/O), so every server behaviour seen can be pinned
// in a unit test; the requests themselves are in dav_transport.cpp.
//
// WebDAV has no append. Apache's mod_dav_fs and lighttpd's mod_webdav (with
// partial-put-copy-modify) write a PUT with "Content-Range: bytes START-END/*" at START, but
// NEITHER checks START against the file's size: a stale START overwrites bytes, one past the
// end leaves a gap of zeros. Other servers refuse such a PUT (400, 501: SabreDAV/Nextcloud)
// or, worse, ignore the header and replace the whole file with the body.
//
// The probe runs at the mount's first send, in the folder of the writer file it sends to, on
// a fresh file of its own (never a writer file, so a server that replaces does no harm): PUT
// "ab", then PUT "cd" with Content-Range: bytes 2-3/*, then GET it back, then DELETE it. Only
// "abcd" proves that ranged PUT writes where it is told; anything else means rewrite mode
// (PUT to a temporary name, MOVE over the writer file), which every server can do.
//
// The guard, for each append of N bytes by ranged PUT:
// 1. The file's size S is asked (HEAD) immediately before; a missing file is created by a
//    plain PUT with If-None-Match: * instead (412: it appeared meanwhile, ask again).
// 2. The PUT writes bytes S..S+N-1, exactly at the end the server just reported. Each writer
//    owns its file and a transport sends one request at a time, so nothing else moves that
//    end in between; bytes a reader has already seen are never written again.
// 3. The size is asked again after the PUT: it must be S+N. Anything else (a server that
//    ignored the range after all, a request of ours that the server finished late, a room
//    member writing into our file) fails the append, and the engine re-reads its own file
//    before sending again (docs/DESIGN.md, "The outbox", step 4), so what landed is
//    acknowledged and only the rest is sent.
// 4. After any failed request the size is never assumed: step 1 runs again.
// See docs/DESIGN.md ("WebDAV appends") for what readers and retried requests can see.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ftpchat/core/error.hpp"

namespace ftpchat {

// The probe's file content before and after its ranged PUT.
inline constexpr std::string_view kDavProbeStart = "ab";
inline constexpr std::string_view kDavProbeMore = "cd";

// What the probe saw. A status of 0 means the request got no HTTP answer (connection
// failed); `content` is absent if the GET failed.
struct DavProbe {
  long create_status = 0;              // PUT kDavProbeStart to the probe file
  long ranged_status = 0;              // PUT kDavProbeMore with Content-Range: bytes 2-3/*
  std::optional<std::string> content;  // GET of the probe file afterwards
};

struct DavAppendVerdict {
  enum class Way {
    ranged_put,  // append by ranged PUT, guarded as above
    rewrite,     // PUT to a temporary name, MOVE over the file
    undecided,   // no answer, a 5xx, no folder yet: the send fails, the next try probes again
  };
  Way way = Way::undecided;
  std::string note;  // for ROOM/status and the log: why, e.g. "server refuses Content-Range"
};

DavAppendVerdict decide_dav_append(const DavProbe& probe);

// "Content-Range: bytes START-END/*" for `length` (> 0) bytes written at `offset`.
std::string dav_content_range(std::uint64_t offset, std::uint64_t length);

// Rule 3: the size seen after appending `length` bytes at `offset`. protocol error (with
// what was seen) unless it is offset + length; `what` names the file for the message.
Result<void> check_dav_append(std::uint64_t offset, std::uint64_t length,
                              std::optional<std::uint64_t> size_after, std::string_view what);

}  // namespace ftpchat
