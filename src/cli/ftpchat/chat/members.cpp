// MemberList and members_of_log (see members.hpp).
#include "members.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <ctime>

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

std::optional<RoomMember> parse_member_line(std::string_view line) {
  std::vector<std::string_view> f;
  while (!line.empty()) {
    const std::size_t sp = line.find(' ');
    f.push_back(line.substr(0, sp));
    line.remove_prefix(sp == std::string_view::npos ? line.size() : sp + 1);
  }
  if (f.size() != 5 && f.size() != 7) return std::nullopt;
  RoomMember m{std::string(f[0]), std::string(f[1]), std::string(f[2]), std::string(f[4]), 0, {}, {}};
  const auto [end, ec] = std::from_chars(f[3].data(), f[3].data() + f[3].size(), m.devices);
  if (ec != std::errc() || end != f[3].data() + f[3].size()) return std::nullopt;
  if (f.size() == 7 && f[5] != "-") {
    m.read_time = std::string(f[5]);
    m.read_id = std::string(f[6]);
  }
  return m;
}

std::optional<std::vector<RoomMember>> read_members_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  std::string text;
  char buf[16384];
  for (ssize_t n; (n = ::read(fd.get(), buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
  std::vector<RoomMember> out;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t eol = std::min(text.find('\n', pos), text.size());
    if (auto m = parse_member_line(std::string_view(text).substr(pos, eol - pos))) out.push_back(std::move(*m));
    pos = eol + 1;
  }
  return out;
}

std::string local_time_of(const std::string& rfc3339) {
  std::tm tm{};
  const char* end = ::strptime(rfc3339.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (end == nullptr || *end != '\0') return rfc3339;
  const std::time_t t = ::timegm(&tm);
  std::tm local{};
  localtime_r(&t, &local);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &local);
  return buf;
}

}  // namespace ftpchat::chat
