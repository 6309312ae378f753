// ListObjectsV2 and error documents through expat: elements are matched by their local
// name (namespaces ignored, as gateways differ in declaring them) and their place in the
// tree, e.g. ListBucketResult/Contents/Key.
#include "s3_xml.hpp"

#include <expat.h>

#include <charconv>
#include <climits>
#include <functional>
#include <memory>

namespace ftpchat {
namespace {

constexpr char kNamespaceSeparator = '\x01';

using ElementPath = std::vector<std::string>;
using OnElement = std::function<void(const ElementPath&, const std::string& text)>;

struct Walk {
  ElementPath path;
  std::string text;
  OnElement on_end;
};

std::string local_name(const XML_Char* name) {
  std::string_view full(name);
  const std::size_t sep = full.rfind(kNamespaceSeparator);
  return std::string(sep == std::string_view::npos ? full : full.substr(sep + 1));
}

void XMLCALL on_start(void* user, const XML_Char* name, const XML_Char**) {
  auto* walk = static_cast<Walk*>(user);
  walk->path.push_back(local_name(name));
  walk->text.clear();
}

void XMLCALL on_text(void* user, const XML_Char* text, int len) {
  static_cast<Walk*>(user)->text.append(text, static_cast<std::size_t>(len));
}

void XMLCALL on_end(void* user, const XML_Char*) {
  auto* walk = static_cast<Walk*>(user);
  walk->on_end(walk->path, walk->text);
  walk->path.pop_back();
  walk->text.clear();
}

// Runs `on_element` at the end of every element; the reason if `xml` is not well formed.
std::string walk_xml(std::string_view xml, OnElement on_element) {
  using ParserPtr = std::unique_ptr<std::remove_pointer_t<XML_Parser>, decltype(&XML_ParserFree)>;
  ParserPtr parser(XML_ParserCreateNS(nullptr, kNamespaceSeparator), &XML_ParserFree);
  if (!parser) return "out of memory";
  Walk walk;
  walk.on_end = std::move(on_element);
  XML_SetUserData(parser.get(), &walk);
  XML_SetElementHandler(parser.get(), on_start, on_end);
  XML_SetCharacterDataHandler(parser.get(), on_text);
  // One call with isFinal: the whole reply is in memory already (listings are small).
  if (xml.size() > static_cast<std::size_t>(INT_MAX)) return "reply too large";
  if (XML_Parse(parser.get(), xml.data(), static_cast<int>(xml.size()), 1) == XML_STATUS_ERROR)
    return XML_ErrorString(XML_GetErrorCode(parser.get()));
  return "";
}

bool is(const ElementPath& path, std::initializer_list<std::string_view> tail) {
  if (path.size() != tail.size()) return false;
  std::size_t i = 0;
  for (std::string_view part : tail)
    if (path[i++] != part) return false;
  return true;
}

}  // namespace

Result<S3ListPage> parse_list_objects_v2(std::string_view xml) {
  S3ListPage page;
  bool root_seen = false;
  bool bad_size = false;
  S3Object current;
  const std::string problem = walk_xml(xml, [&](const ElementPath& path, const std::string& text) {
    if (is(path, {"ListBucketResult"})) {
      root_seen = true;
    } else if (is(path, {"ListBucketResult", "Contents", "Key"})) {
      current.key = text;
    } else if (is(path, {"ListBucketResult", "Contents", "Size"})) {
      auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), current.size);
      bad_size |= err != std::errc() || end != text.data() + text.size();
    } else if (is(path, {"ListBucketResult", "Contents"})) {
      page.objects.push_back(std::move(current));
      current = S3Object{};
    } else if (is(path, {"ListBucketResult", "CommonPrefixes", "Prefix"})) {
      page.prefixes.push_back(text);
    } else if (is(path, {"ListBucketResult", "IsTruncated"})) {
      page.truncated = text == "true";
    } else if (is(path, {"ListBucketResult", "NextContinuationToken"})) {
      page.next_token = text;
    }
  });
  if (!problem.empty())
    return make_error(Errc::bad_data, "the object listing is not well-formed XML: " + problem);
  if (!root_seen) return make_error(Errc::bad_data, "the object listing has no ListBucketResult");
  if (bad_size)
    return make_error(Errc::bad_data, "the object listing has a size that is no number");
  return page;
}

S3ErrorReply parse_s3_error(std::string_view xml) {
  S3ErrorReply reply;
  if (xml.empty()) return reply;
  const std::string problem = walk_xml(xml, [&](const ElementPath& path, const std::string& text) {
    if (is(path, {"Error", "Code"})) reply.code = text;
    if (is(path, {"Error", "Message"})) reply.message = text;
  });
  if (!problem.empty()) return {};
  return reply;
}

}  // namespace ftpchat
