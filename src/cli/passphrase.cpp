// Passphrase sources, read straight into guarded memory.
#include "passphrase.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace ftpchat {
namespace {

constexpr std::size_t kMaxPassphrase = 1024;

// Reads one line (without '\n' / "\r\n") from fd into secure memory.
Result<SecretBytes> read_line(int fd, const std::string& what) {
  SecretBytes buf(kMaxPassphrase + 1);
  std::size_t len = 0;
  for (;;) {
    char c;
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error(Errc::io, "cannot read " + what + ": " + std::strerror(errno));
    if (n == 0 || c == '\n') break;
    if (len == kMaxPassphrase)
      return make_error(Errc::invalid_argument, "the passphrase in " + what + " is over 1024 bytes");
    buf.data()[len++] = static_cast<std::uint8_t>(c);
  }
  if (len > 0 && buf.data()[len - 1] == '\r') --len;
  if (len == 0) return make_error(Errc::invalid_argument, "the passphrase in " + what + " is empty");
  return SecretBytes::from(buf.view().substr(0, len));
}

std::string expand_home(const std::string& path) {
  if (path.rfind("~/", 0) == 0) {
    if (const char* home = std::getenv("HOME")) return std::string(home) + path.substr(1);
  }
  return path;
}

Result<SecretBytes> from_file(const std::string& passfile) {
  const std::string path = expand_home(passfile);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return make_error(Errc::invalid_argument,
                      "cannot open passfile " + path + ": " + std::strerror(errno));
  auto secret = read_line(fd, "passfile " + path);
  ::close(fd);
  return secret;
}

Result<SecretBytes> from_terminal(const char* prompt, const char* env) {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return make_error(Errc::invalid_argument,
                      std::string("no passphrase given and no terminal to ask on; use a passfile "
                                  "option or ") + env);
  termios saved{};
  const bool is_tty = tcgetattr(fd, &saved) == 0;
  if (is_tty) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  (void)!::write(fd, prompt, std::strlen(prompt));
  auto secret = read_line(fd, "the terminal");
  if (is_tty) tcsetattr(fd, TCSAFLUSH, &saved);
  (void)!::write(fd, "\n", 1);
  ::close(fd);
  return secret;
}

}  // namespace

Result<SecretBytes> obtain_secret(const std::string& passfile, const char* env,
                                  const char* prompt, bool confirm) {
  if (!passfile.empty()) return from_file(passfile);
  if (const char* value = std::getenv(env); value != nullptr && *value != '\0')
    return SecretBytes::from(value);
  auto first = from_terminal(prompt, env);
  if (!first || !confirm) return first;
  auto again = from_terminal("Again, to confirm: ", env);
  if (!again) return again;
  if (again->view() != first->view())
    return make_error(Errc::invalid_argument, "the two passphrases differ; nothing was written");
  return first;
}

Result<SecretBytes> obtain_passphrase(const std::string& passfile) {
  return obtain_secret(passfile, "FTPCHAT_PASSPHRASE", "Room passphrase: ");
}

bool passphrase_given(const std::string& passfile) {
  const char* env = std::getenv("FTPCHAT_PASSPHRASE");
  return !passfile.empty() || (env != nullptr && *env != '\0');
}

}  // namespace ftpchat
