// /members: who has spoken in a room, from its log (the nicks of its message lines), with
// the time each last spoke. Receipts ("read up to") join here once the mount offers them.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ftpchat::chat {

struct Member {
  std::string nick;
  std::string last_spoke;  // the log's time text of the nick's newest message
  std::size_t messages = 0;
};

class MemberList {
 public:
  void add_line(std::string_view log_line);  // a ROOM/log line, in log order
  // Most recent speaker first.
  std::vector<Member> members() const;

 private:
  struct Seen {
    Member member;
    std::size_t last_line = 0;  // for the order
  };
  std::map<std::string, Seen, std::less<>> seen_;
  std::size_t lines_ = 0;
};

// The members of the log at LOG_PATH, reading at most its last `max_bytes`; `partial` says
// whether older bytes were left out.
std::vector<Member> members_of_log(const std::string& log_path, std::size_t max_bytes,
                                   bool& partial);

}  // namespace ftpchat::chat
