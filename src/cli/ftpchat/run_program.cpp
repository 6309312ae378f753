// run_program: posix_spawnp, pipes read with poll until both close, then waitpid.
#include "run_program.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace ftpchat {

namespace {

// Both ends of a pipe, closed on exec (posix_spawn's dup2 onto 0, 1, 2 clears that flag).
struct Pipe {
  int fd[2] = {-1, -1};
  Pipe() {
    if (::pipe2(fd, O_CLOEXEC) != 0) fd[0] = fd[1] = -1;
  }
  ~Pipe() { close_both(); }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  bool ok() const { return fd[0] >= 0; }
  void close_end(int i) {
    if (fd[i] >= 0) ::close(fd[i]);
    fd[i] = -1;
  }
  void close_both() {
    close_end(0);
    close_end(1);
  }
};

Error system_error(const std::string& what, int err) {
  return make_error(Errc::io, what + ": " + std::strerror(err));
}

// Reads stdout and stderr together so that neither pipe fills while the other is read; an fd
// of -1 is not read.
Result<void> drain(int out_fd, int err_fd, std::string& out, std::string& err) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&out, &err};
  int open = (out_fd >= 0) + (err_fd >= 0);
  char buf[4096];
  while (open > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return system_error("poll", errno);
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fds[i].fd = -1;  // end of file (or an error: nothing more will come)
        --open;
      } else {
        sinks[i]->append(buf, static_cast<std::size_t>(n));
      }
    }
  }
  return {};
}

}  // namespace

Result<ProgramResult> run_program(const std::vector<std::string>& argv,
                                  const std::optional<std::string>& stdin_text,
                                  ProgramStderr stderr_mode) {
  if (argv.empty()) return make_error(Errc::invalid_argument, "no program to run");
  if (stdin_text && stdin_text->size() > kMaxProgramInput)
    return make_error(Errc::invalid_argument, "input for " + argv[0] + " is too long");
  Pipe in, out, err;
  if (!in.ok() || !out.ok() || !err.ok()) return system_error("pipe", errno);
  if (stdin_text) {
    // Fits the pipe (kMaxProgramInput), so this never blocks, and the read end is still open
    // here, so it cannot raise SIGPIPE.
    if (::write(in.fd[1], stdin_text->data(), stdin_text->size()) !=
        static_cast<ssize_t>(stdin_text->size()))
      return system_error("writing to a pipe", errno);
    in.close_end(1);
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (stdin_text) posix_spawn_file_actions_adddup2(&actions, in.fd[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out.fd[1], STDOUT_FILENO);
  if (stderr_mode == ProgramStderr::capture)
    posix_spawn_file_actions_adddup2(&actions, err.fd[1], STDERR_FILENO);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned =
      ::posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned == ENOENT) return make_error(Errc::not_found, argv[0] + " not found on PATH");
  if (spawned != 0) return system_error("cannot run " + argv[0], spawned);
  in.close_both();
  out.close_end(1);
  err.close_end(1);
  if (stderr_mode == ProgramStderr::inherit) err.close_end(0);

  ProgramResult result;
  auto drained = drain(out.fd[0], err.fd[0], result.out, result.err);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return system_error("waitpid", errno);
  }
  if (!drained) return drained.error();
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace ftpchat
