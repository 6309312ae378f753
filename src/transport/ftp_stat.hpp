// FTP "STAT <folder>": a folder's listing in the reply on the control connection, one round
// trip with no data connection and no TYPE switch (RFC 959 allows a path argument; vsftpd,
// pure-ftpd, proftpd and pyftpdlib answer it in "ls -l" lines). Pure parsing and judging
// here, so that each server's dialect is pinned in tests/unit/ftp_stat_test.cpp;
// ftp_transport.cpp sends the command and decides once per mount whether to trust it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ftpchat/transport/ftp_list.hpp"
#include "ftpchat/transport/transport.hpp"

namespace ftpchat {

// The command for a folder as FTP commands name it (relative to the login folder, with its
// trailing '/', "" for the login folder itself). "" becomes "." (a bare STAT is the server's
// status, not a listing) and a leading '-' gets "./" (servers read it as ls options).
std::string stat_command(std::string_view folder);

// The reply to the STAT among the control lines of one request: the last complete reply,
// past the login's replies before it and any "250" after it (libcurl sends its CWD back to
// the login folder after the quote commands, when an earlier request left it elsewhere).
// Its code, and the lines between its "CODE-" opening and "CODE " closing lines; body lines
// that repeat the "CODE-" prefix (allowed by RFC 959) lose it.
struct FtpReply {
  int code = 0;  // 0: no reply line at all
  std::vector<std::string> body;
};
FtpReply stat_reply(const std::vector<std::string>& lines);

// What a reply to STAT <folder> says. Rules:
// 1. 500, 501, 502, 504, or a 1xx-3xx other than 211-213 (202 "superfluous", ...): the
//    server has no STAT listing -> lacks.
// 2. Any other 4xx/5xx (450/550: no such folder, or refused) -> refused: the caller asks
//    LIST, whose error says what is wrong.
// 3. 211-213 with lines in a listing format, or with "." (vsftpd and proftpd list it, so an
//    empty folder proves it exists) -> listing; other lines are skipped as LIST's are.
// 4. 211-213 with lines but none in a listing format (the server's status instead) -> lacks.
// 5. 211-213 without lines -> empty: an empty folder, a missing one (vsftpd, pure-ftpd), or
//    a server whose STAT never lists anything; the caller decides.
enum class StatVerdict { listing, empty, refused, lacks };

struct StatListing {
  StatVerdict verdict = StatVerdict::lacks;
  FtpListing listing;  // listing: the entries ("." and ".." left out)
  std::string note;    // lacks: for the transport mode, e.g. "server lacks STAT (500)"
};
StatListing judge_stat_reply(const FtpReply& reply);

// Whether two listings of one folder name the same entries, in any order (sizes may differ:
// a file can grow between two listings).
bool same_names(const std::vector<DirEntry>& a, const std::vector<DirEntry>& b);

}  // namespace ftpchat
