// Errc -> errno. Network trouble is EIO (what sshfs reports), except where a more
// precise errno lets tools print something useful.
#include "errno_map.hpp"

#include <cerrno>

namespace ftpchat {

int to_errno(Errc code) {
  switch (code) {
    case Errc::not_found: return ENOENT;
    case Errc::exists: return EEXIST;
    case Errc::permission: return EACCES;
    case Errc::login_refused: return EACCES;
    case Errc::wrong_passphrase: return EACCES;
    case Errc::unreachable: return EIO;
    case Errc::timeout: return ETIMEDOUT;
    case Errc::tls: return EIO;
    case Errc::protocol: return EIO;
    case Errc::unsupported: return ENOTSUP;
    case Errc::io: return EIO;
    case Errc::no_space: return ENOSPC;
    case Errc::bad_data: return EIO;
    case Errc::too_large: return EMSGSIZE;
    case Errc::invalid_argument: return EINVAL;
    case Errc::busy: return EBUSY;
    case Errc::not_member: return EACCES;
    case Errc::cancelled: return ECANCELED;
    case Errc::internal: return EIO;
  }
  return EIO;
}

}  // namespace ftpchat
