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

Result<SecretBytes> from_terminal() {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return make_error(Errc::invalid_argument,
                      "no passphrase given and no terminal to ask on; use -o passfile=FILE or "
                      "FTPCHAT_PASSPHRASE");
  termios saved{};
  const bool is_tty = tcgetattr(fd, &saved) == 0;
  if (is_tty) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  static constexpr char kPrompt[] = "Room passphrase: ";
  (void)!::write(fd, kPrompt, sizeof kPrompt - 1);
  auto secret = read_line(fd, "the terminal");
  if (is_tty) tcsetattr(fd, TCSAFLUSH, &saved);
  (void)!::write(fd, "\n", 1);
  ::close(fd);
  return secret;
}

}  // namespace

Result<SecretBytes> obtain_passphrase(const std::string& passfile) {
  if (!passfile.empty()) return from_file(passfile);
  if (const char* env = std::getenv("FTPCHAT_PASSPHRASE"); env != nullptr && *env != '\0')
    return SecretBytes::from(env);
  return from_terminal();
}

}  // namespace ftpchat
