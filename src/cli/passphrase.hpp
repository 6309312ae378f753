// Where the passphrase comes from: passfile=, else FTPCHAT_PASSPHRASE, else a no-echo
// prompt on the terminal. Never from argv.
#pragma once

#include <string>

#include "ftpchat/core/error.hpp"
#include "ftpchat/core/secret.hpp"

namespace ftpchat {

Result<SecretBytes> obtain_passphrase(const std::string& passfile);

}  // namespace ftpchat
