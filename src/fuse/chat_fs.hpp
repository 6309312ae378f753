// The FUSE adapter: maps paths to rooms and their files, and each request to one engine
// call. The only code besides mount.cpp and mount_options.cpp that includes FUSE headers.
#pragma once

#include "fuse_api.hpp"

namespace ftpchat {

class ChatEngine;

// Operations table; fuse_get_context()->private_data must be the ChatEngine.
const fuse_operations& chat_fs_operations();

}  // namespace ftpchat
