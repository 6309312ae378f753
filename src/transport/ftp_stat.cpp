// STAT <folder> replies: finding the reply among a request's control lines, and judging it.
#include "ftp_stat.hpp"

#include <algorithm>
#include <cctype>

namespace ftpchat {
namespace {

// "213-..." or "213 ...": the code, else 0.
int reply_code(std::string_view line, char separator) {
  if (line.size() < 4 || line[3] != separator) return 0;
  int code = 0;
  for (int i = 0; i < 3; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(line[i]))) return 0;
    code = code * 10 + (line[i] - '0');
  }
  return code;
}

bool lacks_stat(int code) {
  if (code == 500 || code == 501 || code == 502 || code == 504) return true;
  return code < 400 && (code < 211 || code > 213);
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text.append(line).push_back('\n');
  return text;
}

}  // namespace

std::string stat_command(std::string_view folder) {
  if (folder.empty()) return "STAT .";
  if (folder.front() == '-') return "STAT ./" + std::string(folder);
  return "STAT " + std::string(folder);
}

FtpReply stat_reply(const std::vector<std::string>& lines) {
  std::vector<FtpReply> replies;
  FtpReply open;  // a multi-line reply being read (code != 0)
  for (const std::string& line : lines) {
    if (open.code != 0) {
      if (reply_code(line, ' ') == open.code) {
        replies.push_back(std::move(open));
        open = {};
      } else if (reply_code(line, '-') == open.code) {
        open.body.push_back(line.substr(4));
      } else {
        open.body.push_back(line);
      }
    } else if (const int code = reply_code(line, '-'); code != 0) {
      open.code = code;  // the opening line's text is a title ("Status of ..."), not a line
    } else if (const int single = reply_code(line, ' '); single != 0) {
      replies.push_back(FtpReply{single, {}});
    }
  }
  while (!replies.empty() && replies.back().code == 250 && replies.back().body.empty())
    replies.pop_back();
  return replies.empty() ? FtpReply{} : std::move(replies.back());
}

StatListing judge_stat_reply(const FtpReply& reply) {
  StatListing out;
  if (reply.code == 0) {
    out.note = "server gave no STAT reply";
    return out;
  }
  if (lacks_stat(reply.code)) {
    out.note = "server lacks STAT (" + std::to_string(reply.code) + ")";
    return out;
  }
  if (reply.code >= 400) {
    out.verdict = StatVerdict::refused;
    return out;
  }
  out.listing = parse_ftp_listing(joined(reply.body));
  if (!out.listing.entries.empty() || out.listing.has_dot) {
    out.verdict = StatVerdict::listing;
  } else if (!out.listing.unparsed.empty()) {
    out.note = "STAT answers without a listing";
  } else {
    out.verdict = StatVerdict::empty;
  }
  return out;
}

bool same_names(const std::vector<DirEntry>& a, const std::vector<DirEntry>& b) {
  if (a.size() != b.size()) return false;
  std::vector<std::string> x;
  std::vector<std::string> y;
  for (const auto& e : a) x.push_back(e.name);
  for (const auto& e : b) y.push_back(e.name);
  std::sort(x.begin(), x.end());
  std::sort(y.begin(), y.end());
  return x == y;
}

}  // namespace ftpchat
