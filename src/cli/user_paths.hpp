// Per-user defaults shared by ftpchatfs and ftpchat: where local state lives, the login name.
#pragma once

#include <filesystem>
#include <string>

namespace ftpchat {

// $HOME, else the password database's home directory, else /tmp.
std::filesystem::path home_dir();

// $XDG_STATE_HOME/ftpchatfs, else ~/.local/state/ftpchatfs: writer ids and spools.
std::filesystem::path user_state_dir();

// $XDG_CACHE_HOME/ftpchatfs, else ~/.cache/ftpchatfs: ciphertext already fetched.
std::filesystem::path user_cache_dir();

// $XDG_DATA_HOME/ftpchatfs, else ~/.local/share/ftpchatfs: the identity file.
std::filesystem::path user_data_dir();

// The user's login name (the default nick).
std::string user_login_name();

}  // namespace ftpchat
