// URL/ROOM arguments of the ftpchat command: a mount URL plus one room name.
#pragma once

#include <string>
#include <string_view>

#include "ftpchat/core/error.hpp"
#include "ftpchat/transport/remote_url.hpp"

namespace ftpchat {

struct RoomUrl {
  RemoteUrl base;    // the directory ftpchatfs would mount
  std::string room;  // the room's real (decrypted) name, percent-decoded
};

// "ftp://host/chat/general" -> base "ftp://host/chat/", room "general". A trailing '/' is
// ignored. invalid_argument when there is no room component.
Result<RoomUrl> parse_room_url(std::string_view text);

}  // namespace ftpchat
