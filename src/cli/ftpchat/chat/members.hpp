// /members: in a member room, ROOM/members (the member list, with each member's "read up to"
// when receipts are on); in a passphrase room, who has spoken, from its log (the nicks of its
// message lines), with the time each last spoke.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
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

// A line of ROOM/members: "NAME ID ROLE DEVICES SINCE [READ_TIME READ_ID]" (ftpchatfs(1)).
struct RoomMember {
  std::string name, id, role, since;
  std::size_t devices = 0;
  std::string read_time;  // RFC 3339 UTC; empty: unknown (no receipt, or receipts off)
  std::string read_id;
};
std::optional<RoomMember> parse_member_line(std::string_view line);
// ROOM/members at PATH; nullopt when there is none (a passphrase room).
std::optional<std::vector<RoomMember>> read_members_file(const std::string& path);
// "2026-12-01T15:21:41Z" as the log shows times: "2026-12-01 16:21:41" in local time; the
// input unchanged when it does not parse.
std::string local_time_of(const std::string& rfc3339);

// The members of the log at LOG_PATH, reading at most its last `max_bytes`; `partial` says
// whether older bytes were left out.
std::vector<Member> members_of_log(const std::string& log_path, std::size_t max_bytes,
                                   bool& partial);

}  // namespace ftpchat::chat
