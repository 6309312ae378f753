// Membership record payloads: one validation used by both directions, so nothing encodes
// what a reader would reject.
#include "ftpchat/identity/membership_record.hpp"

#include <algorithm>

#include "ftpchat/core/wire.hpp"
#include "ftpchat/record/render.hpp"

namespace ftpchat {

namespace {

Result<void> check(const MembershipChange& c, Errc code) {
  const auto fail = [&](std::string why) { return make_error(code, "membership record: " + why); };
  const bool zero_target = c.target == PublicKey{};
  switch (c.action) {
    case Action::invite:
      if (zero_target || c.role == Role::none || !c.cut.empty())
        return fail("an invite names a target and a role, and has no cut");
      if (auto valid = validate_member_name(c.name); !valid) return fail(valid.error().detail);
      break;
    case Action::remove:
      if (zero_target || c.role != Role::none || !c.name.empty())
        return fail("a removal names a target, and no role or name");
      break;
    case Action::role:
      if (zero_target || c.role == Role::none || !c.name.empty() || !c.cut.empty())
        return fail("a role change names a target and a role only");
      break;
    case Action::rekey:
      if (!zero_target || c.role != Role::none || !c.name.empty() || !c.cut.empty())
        return fail("a rekey has no target, role, name or cut");
      break;
    default:
      return fail("unknown action");
  }
  if (static_cast<std::uint8_t>(c.role) > static_cast<std::uint8_t>(Role::owner))
    return fail("unknown role");
  if (c.parents.empty() || c.parents.size() > kMaxParents) return fail("1 to 16 parents");
  for (std::size_t i = 0; i < c.parents.size(); ++i)
    for (std::size_t j = i + 1; j < c.parents.size(); ++j)
      if (c.parents[i] == c.parents[j]) return fail("a parent is listed twice");
  if (c.recipients.empty() || c.recipients.size() > kMaxRecipients) return fail("1 to 1000 recipients");
  for (std::size_t i = 1; i < c.recipients.size(); ++i)
    if (!(c.recipients[i - 1] < c.recipients[i])) return fail("recipients not in increasing order");
  if (c.cut.size() > kMaxCutEntries) return fail("over 1024 cut entries");
  for (std::size_t i = 1; i < c.cut.size(); ++i)
    if (!(c.cut[i - 1].writer < c.cut[i].writer)) return fail("cut not in increasing order");
  return {};
}

}  // namespace

const char* role_name(Role role) {
  switch (role) {
    case Role::member: return "member";
    case Role::admin: return "admin";
    case Role::owner: return "owner";
    case Role::none: break;
  }
  return "none";
}

std::optional<Role> parse_role(std::string_view text) {
  for (Role r : {Role::member, Role::admin, Role::owner})
    if (text == role_name(r)) return r;
  return std::nullopt;
}

Result<void> validate_member_name(std::string_view name) {
  const auto fail = [](std::string why) { return make_error(Errc::invalid_argument, std::move(why)); };
  if (name.empty()) return fail("a member name cannot be empty");
  if (name.size() > kMaxMemberNameBytes) return fail("a member name is at most 64 bytes");
  if (name.find_first_of(" \t~<>=") != std::string_view::npos)
    return fail("a member name cannot hold a space, tab, ~, <, > or =");
  if (escape_text(name) != name) return fail("a member name must be UTF-8 without control characters");
  return {};
}

Result<std::string> encode_membership(MembershipChange c) {
  std::sort(c.recipients.begin(), c.recipients.end());
  c.recipients.erase(std::unique(c.recipients.begin(), c.recipients.end()), c.recipients.end());
  std::sort(c.cut.begin(), c.cut.end(),
            [](const CutEntry& a, const CutEntry& b) { return a.writer < b.writer; });
  if (auto ok = check(c, Errc::invalid_argument); !ok) return ok.error();
  std::string out;
  put_u8(out, static_cast<std::uint8_t>(c.action));
  put_bytes(out, c.target);
  put_u8(out, static_cast<std::uint8_t>(c.role));
  put_u8(out, static_cast<std::uint8_t>(c.name.size()));
  out += c.name;
  put_u8(out, static_cast<std::uint8_t>(c.parents.size()));
  for (const EpochId& p : c.parents) put_bytes(out, p);
  put_u16(out, static_cast<std::uint16_t>(c.recipients.size()));
  for (const PublicKey& r : c.recipients) put_bytes(out, r);
  put_u16(out, static_cast<std::uint16_t>(c.cut.size()));
  for (const CutEntry& e : c.cut) {
    put_bytes(out, e.writer);
    put_u64(out, e.last_seq);
  }
  return out;
}

Result<MembershipChange> parse_membership(std::string_view payload) {
  const auto truncated = [] { return make_error(Errc::bad_data, "membership record is truncated"); };
  WireReader in(payload);
  MembershipChange c;
  auto action = in.u8();
  auto target = in.array<32>();
  auto role = in.u8();
  auto name_len = in.u8();
  if (!action || !target || !role || !name_len) return truncated();
  auto name = in.bytes(*name_len);
  auto parents = in.u8();
  if (!name || !parents) return truncated();
  c.action = static_cast<Action>(*action);
  c.target = *target;
  c.role = static_cast<Role>(*role);
  c.name = std::string(*name);
  for (std::size_t i = 0; i < *parents; ++i) {
    auto p = in.array<16>();
    if (!p) return truncated();
    c.parents.push_back(*p);
  }
  auto recipients = in.u16();
  if (!recipients) return truncated();
  for (std::size_t i = 0; i < *recipients; ++i) {
    auto r = in.array<32>();
    if (!r) return truncated();
    c.recipients.push_back(*r);
  }
  auto cut = in.u16();
  if (!cut) return truncated();
  for (std::size_t i = 0; i < *cut; ++i) {
    auto w = in.array<16>();
    auto s = in.u64();
    if (!w || !s) return truncated();
    c.cut.push_back(CutEntry{*w, *s});
  }
  if (!in.done()) return make_error(Errc::bad_data, "membership record has bytes after its cut");
  if (auto ok = check(c, Errc::bad_data); !ok) return ok.error();
  return c;
}

}  // namespace ftpchat
