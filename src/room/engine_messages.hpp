// Texts the engine's files share.
#pragma once

#include <string>

namespace ftpchat {

// Every mount of a mono24 room says this (stderr at mount, then the daemon's log).
inline const std::string kMono24Warning =
    "room uses the legacy cipher mono24, which hides nothing from anyone who reads the "
    "server (see ftpchat-format(5)): ";

}  // namespace ftpchat
