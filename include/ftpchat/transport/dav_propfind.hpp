// Reading a WebDAV PROPFIND (Depth: 1) multistatus reply as directory entries, fed piece by
// piece as the reply streams in (expat underneath, namespace-aware: "DAV:" may have any
// prefix). Pure parsing, no I/O, so each server's dialect can be pinned in a unit test.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ftpchat/core/error.hpp"
#include "ftpchat/transport/transport.hpp"

namespace ftpchat {

// The request body that asks for exactly what a listing needs (a smaller reply than allprop).
extern const std::string_view kPropfindListBody;

struct DavListing {
  std::vector<DirEntry> entries;      // the collection's members, without the collection itself
  bool saw_collection = false;        // a response named the collection itself
  std::vector<std::string> unusable;  // hrefs left out (outside the collection, bad escapes,
                                      // control characters, not found): for a debug log line
};

// Rules:
// 1. Each <response> is one member; its <href> (an absolute path or a full URL, percent-
//    encoded) is resolved against the collection's URL with libcurl's URL API and decoded.
// 2. The href naming the collection itself (with or without its trailing '/') is dropped;
//    so is any href that is not a direct member (a hostile or confused server).
// 3. Properties count only from a <propstat> whose <status> is 2xx; a <response> whose own
//    <status> is not 2xx is left out.
// 4. <resourcetype> holding <collection/> makes a directory, whose size is absent (lighttpd
//    reports 4096 for folders); a file's size is <getcontentlength> if it is a decimal number.
// 5. A document type declaration is refused: a multistatus has none, and refusing it shuts
//    out entity expansion attacks.
class PropfindParser {
 public:
  // `collection_url`: the URL the PROPFIND went to, ending in '/'.
  explicit PropfindParser(std::string_view collection_url);
  ~PropfindParser();
  PropfindParser(const PropfindParser&) = delete;
  PropfindParser& operator=(const PropfindParser&) = delete;

  // Parses the next piece of the reply. false once the XML is malformed (see finish()).
  bool feed(std::string_view piece);
  // The listing, or bad_data with expat's reason if the reply was not a well-formed
  // multistatus document.
  Result<DavListing> finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The whole reply at once.
Result<DavListing> parse_propfind(std::string_view collection_url, std::string_view xml);

}  // namespace ftpchat
