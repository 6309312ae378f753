// PROPFIND multistatus -> DirEntry, streaming through expat; the rules are numbered in
// dav_propfind.hpp. Hrefs are resolved and decoded with libcurl's URL API (CURLU), the same
// code that built the request URL, so both sides agree on what a path is.
#include "ftpchat/transport/dav_propfind.hpp"

#include <curl/curl.h>
#include <expat.h>

#include <charconv>
#include <optional>

namespace ftpchat {

const std::string_view kPropfindListBody =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<D:propfind xmlns:D=\"DAV:\"><D:prop><D:resourcetype/><D:getcontentlength/></D:prop>"
    "</D:propfind>\n";

namespace {

using UrlPtr = std::unique_ptr<CURLU, decltype(&curl_url_cleanup)>;
using ParserPtr = std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)>;

// Text we keep from one element; longer text makes the value unusable (bounded memory
// whatever a server sends).
constexpr std::size_t kMaxText = 16 * 1024;

// The elements the listing reads, by their place in the document; everything else is skipped.
enum class Tag {
  multistatus,
  response,
  href,
  status,
  propstat,
  prop,
  resourcetype,
  collection,
  getcontentlength,
  other
};

Tag tag_of(std::string_view name) {
  constexpr std::string_view dav = "DAV:|";  // namespace and local name, as XML_ParserCreateNS
  if (!name.starts_with(dav)) return Tag::other;
  name.remove_prefix(dav.size());
  if (name == "multistatus") return Tag::multistatus;
  if (name == "response") return Tag::response;
  if (name == "href") return Tag::href;
  if (name == "status") return Tag::status;
  if (name == "propstat") return Tag::propstat;
  if (name == "prop") return Tag::prop;
  if (name == "resourcetype") return Tag::resourcetype;
  if (name == "collection") return Tag::collection;
  if (name == "getcontentlength") return Tag::getcontentlength;
  return Tag::other;
}

std::string_view trim(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

// "HTTP/1.1 200 OK" -> true for any 2xx.
bool status_ok(std::string_view line) {
  line = trim(line);
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos || line.size() < space + 4) return false;
  return line[space + 1] == '2';
}

std::optional<std::uint64_t> parse_length(std::string_view text) {
  text = trim(text);
  std::uint64_t value = 0;
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || err != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::string> get_path(CURLU* url) {
  char* raw = nullptr;
  if (curl_url_get(url, CURLUPART_PATH, &raw, CURLU_URLDECODE) != CURLUE_OK || raw == nullptr)
    return std::nullopt;
  std::string path(raw);
  curl_free(raw);
  return path;
}

}  // namespace

struct PropfindParser::State {
  // One <response> as it is read.
  struct Response {
    std::string href;
    bool href_too_long = false;
    std::optional<bool> ok;  // the response's own <status>, if it has one
    bool is_dir = false;
    std::optional<std::uint64_t> size;
  };
  // One <propstat>: its properties count only once its status is known to be 2xx.
  struct PropStat {
    bool ok = false;
    bool is_dir = false;
    std::optional<std::uint64_t> size;
  };

  ParserPtr parser{nullptr, &XML_ParserFree};
  UrlPtr base{nullptr, &curl_url_cleanup};
  std::string base_path;  // decoded, ends in '/'
  bool base_ok = false;
  std::vector<Tag> stack;
  std::string text;  // of the element being read, if it is one we keep
  bool text_overflow = false;
  Response response;
  PropStat propstat;
  DavListing listing;
  bool saw_multistatus = false;
  const char* stop_reason = nullptr;  // why a handler stopped the parse, if one did

  void stop(const char* reason) noexcept {
    stop_reason = reason;
    XML_StopParser(parser.get(), XML_FALSE);
  }

  template <typename Fn>
  static void guarded(void* user, Fn&& fn) noexcept {
    auto* state = static_cast<State*>(user);
    try {
      fn(*state);
    } catch (...) {
      state->stop("out of memory reading the PROPFIND reply");
    }
  }

  Tag parent(std::size_t up = 1) const {
    return stack.size() > up ? stack[stack.size() - 1 - up] : Tag::other;
  }

  void start(Tag tag) {
    stack.push_back(tag);
    text.clear();
    text_overflow = false;
    switch (tag) {
      case Tag::multistatus:
        if (stack.size() == 1) saw_multistatus = true;
        break;
      case Tag::response:
        if (parent() == Tag::multistatus) response = Response{};
        break;
      case Tag::propstat:
        if (parent() == Tag::response) propstat = PropStat{};
        break;
      case Tag::collection:
        if (parent() == Tag::resourcetype && parent(2) == Tag::prop && parent(3) == Tag::propstat)
          propstat.is_dir = true;
        break;
      default:
        break;
    }
  }

  void end() {
    if (stack.empty()) return;
    const Tag tag = stack.back();
    stack.pop_back();
    const Tag up = stack.empty() ? Tag::other : stack.back();
    switch (tag) {
      case Tag::href:
        if (up == Tag::response) {
          response.href = text;
          response.href_too_long = text_overflow;
        }
        break;
      case Tag::status:
        if (up == Tag::propstat) propstat.ok = !text_overflow && status_ok(text);
        if (up == Tag::response) response.ok = !text_overflow && status_ok(text);
        break;
      case Tag::getcontentlength:
        if (up == Tag::prop && parent() == Tag::propstat && !text_overflow)
          propstat.size = parse_length(text);
        break;
      case Tag::propstat:
        if (up == Tag::response && propstat.ok) {
          response.is_dir = response.is_dir || propstat.is_dir;
          if (propstat.size) response.size = propstat.size;
        }
        break;
      case Tag::response:
        if (up == Tag::multistatus) finish_response();
        break;
      default:
        break;
    }
    text.clear();
  }

  void characters(std::string_view piece) {
    if (stack.empty()) return;
    const Tag tag = stack.back();
    if (tag != Tag::href && tag != Tag::status && tag != Tag::getcontentlength) return;
    if (text.size() + piece.size() > kMaxText) {
      text_overflow = true;
      return;
    }
    text.append(piece);
  }

  void finish_response() {
    const std::string href(trim(response.href));
    if (response.href_too_long || href.empty()) {
      listing.unusable.push_back(response.href_too_long ? "(href too long)" : "(no href)");
      return;
    }
    if (response.ok && !*response.ok) {
      listing.unusable.push_back(href + " (status not 2xx)");
      return;
    }
    auto name = member_name(href);
    if (!name) {
      listing.unusable.push_back(href);
      return;
    }
    if (name->empty()) {  // the collection itself
      listing.saw_collection = true;
      return;
    }
    DirEntry entry;
    entry.name = std::move(*name);
    entry.is_dir = response.is_dir;
    if (!entry.is_dir) entry.size = response.size;
    listing.entries.push_back(std::move(entry));
  }

  // The decoded name of a direct member, "" for the collection itself, nullopt otherwise.
  std::optional<std::string> member_name(const std::string& href) const {
    if (!base_ok) return std::nullopt;
    UrlPtr url(curl_url_dup(base.get()), &curl_url_cleanup);
    if (!url) return std::nullopt;
    // Setting a URL on a handle that holds one resolves it as a reference relative to it:
    // "/a/b/", "b/" and "http://host/a/b/" all work.
    if (curl_url_set(url.get(), CURLUPART_URL, href.c_str(), CURLU_ALLOW_SPACE) != CURLUE_OK)
      return std::nullopt;
    auto path = get_path(url.get());  // fails on %00-%1F: no such names here
    if (!path) return std::nullopt;
    if (*path == base_path || *path + "/" == base_path) return std::string();
    if (!path->starts_with(base_path)) return std::nullopt;
    std::string name = path->substr(base_path.size());
    if (!name.empty() && name.back() == '/') name.pop_back();
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
      return std::nullopt;
    return name;
  }
};

PropfindParser::PropfindParser(std::string_view collection_url)
    : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.parser.reset(XML_ParserCreateNS(nullptr, '|'));
  s.base.reset(curl_url());
  if (s.base) {
    const std::string url(collection_url);
    if (curl_url_set(s.base.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) ==
        CURLUE_OK) {
      if (auto path = get_path(s.base.get())) {
        s.base_path = std::move(*path);
        if (s.base_path.empty() || s.base_path.back() != '/') s.base_path.push_back('/');
        s.base_ok = true;
      }
    }
  }
  if (!s.parser) return;
  // Plain functions for expat, which runs them inside XML_Parse: nothing may be thrown through
  // it, so an allocation failure stops the parse instead.
  XML_SetUserData(s.parser.get(), &s);
  XML_SetElementHandler(
      s.parser.get(),
      [](void* user, const XML_Char* name, const XML_Char**) {
        State::guarded(user, [name](State& state) { state.start(tag_of(name)); });
      },
      [](void* user, const XML_Char*) { State::guarded(user, [](State& state) { state.end(); }); });
  XML_SetCharacterDataHandler(s.parser.get(), [](void* user, const XML_Char* text, int len) {
    State::guarded(user, [text, len](State& state) {
      state.characters(std::string_view(text, static_cast<std::size_t>(len)));
    });
  });
  XML_SetStartDoctypeDeclHandler(
      s.parser.get(), [](void* user, const XML_Char*, const XML_Char*, const XML_Char*, int) {
        static_cast<State*>(user)->stop("the PROPFIND reply has a document type declaration");
      });
}

PropfindParser::~PropfindParser() = default;

bool PropfindParser::feed(std::string_view piece) {
  State& s = *state_;
  if (!s.parser) return false;
  while (!piece.empty()) {  // XML_Parse takes an int length
    const std::size_t n = std::min<std::size_t>(piece.size(), 1 << 20);
    if (XML_Parse(s.parser.get(), piece.data(), static_cast<int>(n), XML_FALSE) != XML_STATUS_OK)
      return false;
    piece.remove_prefix(n);
  }
  return true;
}

Result<DavListing> PropfindParser::finish() {
  State& s = *state_;
  if (!s.parser) return make_error(Errc::internal, "out of memory creating the XML parser");
  if (!s.base_ok) return make_error(Errc::internal, "cannot parse the listing's own URL");
  const auto failed = [&]() -> Error {
    if (s.stop_reason != nullptr) return make_error(Errc::bad_data, s.stop_reason);
    return make_error(Errc::bad_data,
                      std::string("the PROPFIND reply is not well-formed XML (line ") +
                          std::to_string(XML_GetCurrentLineNumber(s.parser.get())) + ": " +
                          XML_ErrorString(XML_GetErrorCode(s.parser.get())) + ")");
  };
  if (s.stop_reason != nullptr || XML_GetErrorCode(s.parser.get()) != XML_ERROR_NONE)
    return failed();
  if (XML_Parse(s.parser.get(), "", 0, XML_TRUE) != XML_STATUS_OK) return failed();
  if (!s.saw_multistatus)
    return make_error(Errc::bad_data, "the PROPFIND reply is not a DAV:multistatus document");
  return std::move(s.listing);
}

Result<DavListing> parse_propfind(std::string_view collection_url, std::string_view xml) {
  PropfindParser parser(collection_url);
  parser.feed(xml);
  return parser.finish();
}

}  // namespace ftpchat
