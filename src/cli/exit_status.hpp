// Exit statuses of ftpchatfs (documented in ftpchatfs(1), "EXIT STATUS", from man/ftpchatfs.h2m).
#pragma once

#include "ftpchat/core/error.hpp"

namespace ftpchat {

enum ExitStatus : int {
  kExitOk = 0,
  kExitFailure = 1,          // anything not listed below
  kExitUsage = 2,            // bad option, URL or argument; no passphrase
  kExitMountpoint = 3,       // mount point missing, not a directory, not empty, mount refused
  kExitUnreachable = 4,      // server unreachable, timed out, TLS or host key failure
  kExitLogin = 5,            // login refused or permission denied
  kExitPassphrase = 6,       // the passphrase opens none of the rooms; not a member; wrong identity passphrase
  kExitRemote = 7,           // remote directory missing or server protocol error
};

int exit_status_for(Errc code);

}  // namespace ftpchat
