// MemberList and members_of_log (see members.hpp).
#include "members.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>

#include "log_line.hpp"
#include "unique_fd.hpp"

namespace ftpchat::chat {

void MemberList::add_line(std::string_view log_line) {
  ++lines_;
  const LogLine parts = parse_log_line(log_line);
  if (parts.kind != LineKind::message) return;
  const std::string_view nick = nick_of(log_line, parts);
  auto it = seen_.find(nick);
  if (it == seen_.end())
    it = seen_.emplace(std::string(nick), Seen{{std::string(nick), {}, 0}, 0}).first;
  it->second.member.last_spoke = std::string(log_line.substr(0, parts.time_end));
  ++it->second.member.messages;
  it->second.last_line = lines_;
}

std::vector<Member> MemberList::members() const {
  std::vector<const Seen*> all;
  for (const auto& [nick, seen] : seen_) all.push_back(&seen);
  std::sort(all.begin(), all.end(),
            [](const Seen* a, const Seen* b) { return a->last_line > b->last_line; });
  std::vector<Member> out;
  for (const Seen* s : all) out.push_back(s->member);
  return out;
}

std::vector<Member> members_of_log(const std::string& log_path, std::size_t max_bytes,
                                   bool& partial) {
  partial = false;
  MemberList list;
  UniqueFd fd(::open(log_path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st {};
  if (!fd || ::fstat(fd.get(), &st) != 0) return {};
  off_t pos = 0;
  if (static_cast<std::size_t>(st.st_size) > max_bytes) {
    pos = st.st_size - static_cast<off_t>(max_bytes);
    partial = true;
  }
  std::string pending;
  bool skip_first = partial;  // the first line read from the middle is cut
  char buf[65536];
  for (ssize_t n; pos < st.st_size && (n = ::pread(fd.get(), buf, sizeof buf, pos)) > 0; pos += n) {
    pending.append(buf, static_cast<std::size_t>(n));
    std::size_t from = 0;
    for (std::size_t eol; (eol = pending.find('\n', from)) != std::string::npos; from = eol + 1) {
      if (!skip_first) list.add_line(std::string_view(pending).substr(from, eol - from));
      skip_first = false;
    }
    pending.erase(0, from);
  }
  return list.members();
}

}  // namespace ftpchat::chat
