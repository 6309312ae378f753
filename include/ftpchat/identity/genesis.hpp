// The genesis of a member room (docs/FORMAT.md, "Header (version 2)"): the room name and its
// first members, signed by the owner and sealed under epoch 0's genesis subkey; and making and
// opening a member room's header.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ftpchat/core/error.hpp"
#include "ftpchat/identity/grant.hpp"
#include "ftpchat/identity/identity.hpp"
#include "ftpchat/identity/membership_record.hpp"

namespace ftpchat {

constexpr std::size_t kMaxGenesisMembers = 256;

struct GenesisMember {
  PublicKey key{};
  Role role = Role::member;
  std::string name;
};

struct Genesis {
  std::uint64_t stamp = 0;
  std::string room_name;
  std::vector<GenesisMember> members;  // strictly increasing keys
  PublicKey owner{};
};

// Signs and seals: invalid_argument when the genesis breaks a rule (members are sorted here).
Result<std::string> seal_genesis(Genesis genesis, const Identity& owner, const Id128& room_id,
                                 const EpochKey& epoch0, const Nonce& nonce);
Result<std::string> seal_genesis(Genesis genesis, const Identity& owner, const Id128& room_id,
                                 const EpochKey& epoch0);
// bad_data when it does not open, breaks a rule, or the owner's signature fails.
Result<Genesis> open_genesis(std::string_view sealed, const Id128& room_id, const EpochKey& epoch0);

struct NewMemberRoom {
  Id128 room_id{};
  std::string header;  // the header file's bytes
  EpochKey epoch0;
  Genesis genesis;
};

// A new room owned by `owner` (named `owner_name`) with `others` as its first members.
Result<NewMemberRoom> create_member_room(std::string_view room_name, const Identity& owner,
                                         std::string_view owner_name,
                                         const std::vector<GenesisMember>& others,
                                         std::uint64_t stamp);

}  // namespace ftpchat
