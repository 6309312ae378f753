// The S3 replies we read: ListObjectsV2 pages and error documents, parsed with expat.
// Pure text handling (no I/O), so every gateway's dialect can be pinned in a unit test.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ftpchat/core/error.hpp"

namespace ftpchat {

struct S3Object {
  std::string key;  // the full key, as stored
  std::uint64_t size = 0;
};

struct S3ListPage {
  std::vector<S3Object> objects;      // <Contents>
  std::vector<std::string> prefixes;  // <CommonPrefixes><Prefix>, full, ending in the delimiter
  bool truncated = false;             // <IsTruncated>true
  std::string next_token;             // <NextContinuationToken>
};

// bad_data with a reason if `xml` is not a well-formed ListBucketResult.
Result<S3ListPage> parse_list_objects_v2(std::string_view xml);

struct S3ErrorReply {
  std::string code;     // "NoSuchKey", "PositionNotEqualToLength", ...; "" if none
  std::string message;  // may be ""
};

// The <Error> document of a failed request; empty fields if `xml` is none.
S3ErrorReply parse_s3_error(std::string_view xml);

}  // namespace ftpchat
