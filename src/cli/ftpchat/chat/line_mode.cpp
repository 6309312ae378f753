// run_line_mode (see line_mode.hpp): one poll() loop over stdin and a 200 ms timer that
// checks the log's size, like tail -f.
#include "line_mode.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "cli/exit_status.hpp"
#include "outbox_writer.hpp"
#include "room_feed.hpp"

namespace ftpchat::chat {

namespace {
bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Prints the lines [from, feed.end_id()) to stdout; printed, they are seen.
bool print_lines(RoomFeed& feed, std::int64_t from) {
  std::string out;
  for (std::int64_t id = from; id < feed.end_id(); ++id) out += feed.line(id).text + "\n";
  if (!write_all(STDOUT_FILENO, out)) return false;
  feed.mark_seen(feed.end_id() - 1);
  return true;
}
}  // namespace

int run_line_mode(const std::string& room_dir, std::size_t history) {
  const std::string outbox_path = room_dir + "/outbox";
  auto opened = RoomFeed::open(room_dir + "/log", history);
  if (!opened) {
    std::fprintf(stderr, "ftpchat: %s; give the folder of a room inside an ftpchatfs mount\n",
                 opened.error().detail.c_str());
    return kExitFailure;
  }
  RoomFeed& feed = opened.value();
  if (!print_lines(feed, feed.first_id())) return kExitFailure;
  if (isatty(STDIN_FILENO))
    std::fprintf(stderr, "ftpchat: chatting in %s; type a line to send it, /quit to leave\n",
                 room_dir.c_str());
  std::string typed;
  bool input_open = true;
  for (;;) {
    const std::int64_t from = feed.end_id();
    if (feed.poll() > 0 && !print_lines(feed, from)) break;
    if (!input_open) break;
    pollfd pfd{STDIN_FILENO, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, 200);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    char in[4096];
    const ssize_t n = ::read(STDIN_FILENO, in, sizeof in);
    if (n <= 0) {
      input_open = false;
      if (!typed.empty()) typed += '\n';  // a last line without newline is still sent
    } else {
      typed.append(in, static_cast<std::size_t>(n));
    }
    for (std::size_t eol; (eol = typed.find('\n')) != std::string::npos;) {
      std::string line = typed.substr(0, eol);
      typed.erase(0, eol + 1);
      if (line == "/quit") return kExitOk;
      if (line.empty()) continue;
      if (auto sent = append_to_outbox(outbox_path, line); !sent)
        std::fprintf(stderr, "ftpchat: not sent: %s\n", sent.error().detail.c_str());
    }
    if (!input_open) usleep(300 * 1000);  // show our own last lines arriving, then leave
  }
  return kExitOk;
}

}  // namespace ftpchat::chat
