// Transport over a local folder (file:///path/ or a plain path): a folder shared by other
// means (NFS, SMB, Syncthing). Plain POSIX calls; no connection.
#pragma once

#include <memory>

#include "ftpchat/transport/remote_url.hpp"
#include "ftpchat/transport/transport.hpp"

namespace ftpchat {

// `url.scheme` must be Scheme::file; `url.path` is the absolute base folder.
std::unique_ptr<Transport> make_local_transport(const RemoteUrl& url);

}  // namespace ftpchat
