// run_control_line: split the line into words, map it onto Room::change_membership.
#include "control_file.hpp"

#include <cerrno>
#include <string>
#include <vector>

#include "errno_map.hpp"

namespace ftpchat {

namespace {

constexpr std::string_view kUsage =
    "invite NAME PUBLIC_ID [member|admin|owner], remove MEMBER, role MEMBER ROLE, or rekey";

std::vector<std::string> words_of(std::string_view line) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < line.size()) {
    const std::size_t start = line.find_first_not_of(" \t", at);
    if (start == std::string_view::npos) break;
    const std::size_t end = std::min(line.find_first_of(" \t", start), line.size());
    out.emplace_back(line.substr(start, end - start));
    at = end;
  }
  return out;
}

Result<void> run(Room& room, const std::vector<std::string>& w) {
  const auto usage = [] { return make_error(Errc::invalid_argument, "write " + std::string(kUsage)); };
  if (w.empty()) return {};
  if (w[0] == "invite" && (w.size() == 3 || w.size() == 4)) {
    auto role = w.size() == 4 ? parse_role(w[3]) : Role::member;
    if (!role) return usage();
    return room.change_membership(Action::invite, w[2], *role, w[1]);
  }
  if (w[0] == "remove" && w.size() == 2) return room.change_membership(Action::remove, w[1]);
  if (w[0] == "role" && w.size() == 3) {
    auto role = parse_role(w[2]);
    if (!role) return usage();
    return room.change_membership(Action::role, w[1], *role);
  }
  if (w[0] == "rekey" && w.size() == 1) return room.change_membership(Action::rekey, "");
  return usage();
}

}  // namespace

int run_control_line(Room& room, std::string_view line) {
  auto done = run(room, words_of(line));
  if (done) return 0;
  std::string shown(line.substr(0, 80));
  room.notice_in_log("control: '" + shown + "' failed: " + done.error().detail);
  return -to_errno(done.error().code);
}

}  // namespace ftpchat
