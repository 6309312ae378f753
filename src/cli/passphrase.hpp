// Where the passphrase comes from: passfile=, else FTPCHAT_PASSPHRASE, else a no-echo
// prompt on the terminal. Never from argv. An identity's passphrase follows the same rules.
#pragma once

#include <string>

#include "ftpchat/core/error.hpp"
#include "ftpchat/core/secret.hpp"

namespace ftpchat {

Result<SecretBytes> obtain_passphrase(const std::string& passfile);

// Whether a passphrase is given without asking: a passfile, or FTPCHAT_PASSPHRASE.
bool passphrase_given(const std::string& passfile);

// The same rules for another secret: `passfile`, else the environment variable `env`, else a
// no-echo prompt on the terminal that says `prompt` (once, or twice to confirm a new one).
Result<SecretBytes> obtain_secret(const std::string& passfile, const char* env,
                                  const char* prompt, bool confirm = false);

}  // namespace ftpchat
