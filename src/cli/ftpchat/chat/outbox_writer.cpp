// append_to_outbox (see outbox_writer.hpp).
#include "outbox_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ftpchat::chat {

Result<void> append_to_outbox(const std::string& outbox_path, std::string_view line) {
  const int fd = ::open(outbox_path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0)
    return make_error(Errc::io, std::string("cannot open outbox: ") + std::strerror(errno));
  std::string data(line);
  data += '\n';
  std::string_view rest = data;
  int err = 0;
  while (!rest.empty()) {
    const ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = n < 0 ? errno : EIO;
      break;
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) return make_error(Errc::io, std::strerror(err));
  return {};
}

}  // namespace ftpchat::chat
