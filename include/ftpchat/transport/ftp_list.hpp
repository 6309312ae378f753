// Parsing FTP LIST output (Unix "ls -l" and DOS/IIS styles) into directory entries.
// Pure text handling, no I/O, so every server dialect we meet can be pinned in a unit test.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ftpchat/transport/transport.hpp"

namespace ftpchat {

struct FtpListing {
  std::vector<DirEntry> entries;      // without "." and ".."
  std::vector<std::string> unparsed;  // lines we could not read (for a debug log line)
  bool has_dot = false;               // a "." line: the folder itself, so it exists
};

// One LIST line without its line ending. nullopt for lines that name no entry:
// "total N", ".", "..", blank lines and lines in no format we know.
std::optional<DirEntry> parse_ftp_list_line(std::string_view line);

// A whole LIST reply body ("\r\n" or "\n" line endings). Never fails: lines it cannot read
// are reported in `unparsed` and otherwise ignored.
FtpListing parse_ftp_listing(std::string_view text);

}  // namespace ftpchat
