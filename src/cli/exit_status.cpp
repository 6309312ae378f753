// Errc -> exit status for start-up failures.
#include "exit_status.hpp"

namespace ftpchat {

int exit_status_for(Errc code) {
  switch (code) {
    case Errc::invalid_argument: return kExitUsage;
    case Errc::unreachable:
    case Errc::timeout:
    case Errc::tls: return kExitUnreachable;
    case Errc::login_refused:
    case Errc::permission: return kExitLogin;
    case Errc::wrong_passphrase:
    case Errc::not_member: return kExitPassphrase;
    case Errc::not_found:
    case Errc::protocol:
    case Errc::unsupported: return kExitRemote;
    default: return kExitFailure;
  }
}

}  // namespace ftpchat
