// run_chat: one poll() loop over stdin and a 200 ms timer that checks the log's size, like
// tail -f. Typed lines go to the outbox with one write each; "/quit" or end of input leaves.
#include "chat_client.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "cli/exit_status.hpp"

namespace ftpchat {

namespace {

int fail(const std::string& message) {
  std::fprintf(stderr, "ftpchat: %s\n", message.c_str());
  return kExitFailure;
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Offset where the last `lines` lines of the file's first `size` bytes start.
off_t history_start(int fd, off_t size, unsigned lines) {
  if (lines == 0) return size;
  off_t pos = size;
  unsigned seen = 0;
  char buf[4096];
  while (pos > 0) {
    const off_t chunk = std::min<off_t>(pos, sizeof buf);
    const ssize_t n = ::pread(fd, buf, static_cast<std::size_t>(chunk), pos - chunk);
    if (n != chunk) return 0;
    for (off_t i = chunk - 1; i >= 0; --i) {
      const off_t at = pos - chunk + i;
      if (buf[i] == '\n' && at != size - 1 && ++seen == lines) return at + 1;
    }
    pos -= chunk;
  }
  return 0;
}

}  // namespace

int run_chat(const std::string& room_dir, unsigned history_lines) {
  const std::string log_path = room_dir + "/log", outbox_path = room_dir + "/outbox";
  const int log_fd = ::open(log_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (log_fd < 0)
    return fail("cannot open " + log_path + ": " + std::strerror(errno) +
                "; give the folder of a room inside an ftpchatfs mount");
  struct stat st {};
  fstat(log_fd, &st);
  off_t offset = history_start(log_fd, st.st_size, history_lines);
  if (isatty(STDIN_FILENO))
    std::fprintf(stderr, "ftpchat: chatting in %s; type a line to send it, /quit to leave\n",
                 room_dir.c_str());
  std::string typed;
  bool input_open = true;
  for (;;) {
    if (fstat(log_fd, &st) == 0 && st.st_size > offset) {  // the log only grows
      char buf[65536];
      const ssize_t n = ::pread(log_fd, buf, sizeof buf, offset);
      if (n > 0) {
        if (!write_all(STDOUT_FILENO, std::string_view(buf, static_cast<std::size_t>(n)))) break;
        offset += n;
        continue;
      }
    }
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
      if (line == "/quit") {
        ::close(log_fd);
        return kExitOk;
      }
      if (line.empty()) continue;
      const int out = ::open(outbox_path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
      bool sent = out >= 0 && write_all(out, line + "\n");
      if (out >= 0 && ::close(out) != 0) sent = false;  // close() is where the mount sends
      if (!sent) std::fprintf(stderr, "ftpchat: not sent: %s\n", std::strerror(errno));
    }
    if (!input_open) {
      // Input ended: show what arrives for one more moment (our own lines), then leave.
      usleep(300 * 1000);
    }
  }
  ::close(log_fd);
  return kExitOk;
}

}  // namespace ftpchat
