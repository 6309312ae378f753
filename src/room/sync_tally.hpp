// Internal to the room module: what one sync found over all writer files (room.cpp,
// room_member.cpp).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "ftpchat/room/member_room.hpp"
#include "ftpchat/room/room.hpp"

namespace ftpchat {

struct Room::SyncTally {
  IngestResult totals;  // counts only; messages go to the merge
  // Per writer, the highest stamp handed to the merge so far: a writer's records are merged
  // in its own (seq) order even where its clock went back, across its files too.
  std::map<Id128, std::uint64_t> order_floor;
  std::uint64_t fetched = 0;
  std::optional<Error> first_error;
  std::map<Id128, std::string> paths;  // writer id -> the file last read (for notices)
  MemberTally member;                  // member rooms: what the drain rejected
};

}  // namespace ftpchat
