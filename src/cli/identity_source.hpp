// The user's identity for member rooms, shared by ftpchatfs and ftpchat: where its file is,
// loading it (a sealed one asks for its passphrase), and creating one.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "ftpchat/core/error.hpp"
#include "ftpchat/identity/identity.hpp"

namespace ftpchat {

// $XDG_DATA_HOME/ftpchatfs/identity, else ~/.local/share/ftpchatfs/identity.
std::filesystem::path default_identity_path();

// The identity of `path`, or of the default file when `path` is empty: null (no error) when
// there is no default file. A sealed file's passphrase comes from `passfile`, else
// FTPCHAT_ID_PASSPHRASE, else a prompt. Errors say the file and what to do.
Result<std::shared_ptr<const Identity>> load_identity(const std::string& path,
                                                      const std::string& passfile);

// A new identity in `path` (default when empty), sealed with a passphrase when `seal`
// (asked twice on a terminal). Returns the file's path; exists when a file is there already.
Result<std::filesystem::path> create_identity(const std::string& path, bool seal,
                                              const std::string& passfile,
                                              std::shared_ptr<const Identity>& created);

}  // namespace ftpchat
