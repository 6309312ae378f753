// Membership records (docs/FORMAT.md, "Membership records"): the payload of a kind 3 record
// (invite, remove, role, rekey), roles and member names. Encoding and strict parsing only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ftpchat/core/bytes.hpp"
#include "ftpchat/core/error.hpp"
#include "ftpchat/identity/grant.hpp"
#include "ftpchat/identity/identity.hpp"

namespace ftpchat {

enum class Role : std::uint8_t { none = 0, member = 1, admin = 2, owner = 3 };
enum class Action : std::uint8_t { invite = 1, remove = 2, role = 3, rekey = 4 };

constexpr std::size_t kMaxMemberNameBytes = 64;
constexpr std::size_t kMaxRecipients = 1000;
constexpr std::size_t kMaxParents = 16;
constexpr std::size_t kMaxCutEntries = 1024;

const char* role_name(Role role);                      // "member", "admin", "owner"
std::optional<Role> parse_role(std::string_view text);  // those three

// 1..64 bytes of UTF-8 that escape_text leaves alone, without space, tab, ~ < > or =.
// invalid_argument naming what is wrong.
Result<void> validate_member_name(std::string_view name);

struct CutEntry {
  Id128 writer{};
  std::uint64_t last_seq = 0;
  bool operator==(const CutEntry&) const = default;
};

struct MembershipChange {
  Action action = Action::rekey;
  PublicKey target{};                // zero for rekey
  Role role = Role::none;            // invite, role
  std::string name;                  // invite
  std::vector<EpochId> parents;      // 1..16, distinct
  std::vector<PublicKey> recipients; // R(E): 1..1000, strictly increasing
  std::vector<CutEntry> cut;         // remove: strictly increasing writer ids
};

// invalid_argument when the change breaks a rule of the table (recipients and cut are sorted
// here, so callers need not).
Result<std::string> encode_membership(MembershipChange change);
// bad_data naming the rule broken.
Result<MembershipChange> parse_membership(std::string_view payload);

}  // namespace ftpchat
