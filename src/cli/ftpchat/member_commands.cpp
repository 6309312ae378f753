// ftpchat id new|show, invite, remove, role and members: identities and member rooms.
#include <cstdio>

#include "cli/exit_status.hpp"
#include "cli/identity_source.hpp"
#include "ftpchat/identity/identity_file.hpp"
#include "ftpchat/identity/public_id.hpp"
#include "session.hpp"

namespace ftpchat {

namespace {

// Exit status of a refused membership change: the usage for malformed input, 6 when this
// identity is not a member, 1 for the rest (already a member, not allowed, last owner...).
int change_status(Errc code) {
  if (code == Errc::invalid_argument) return kExitUsage;
  if (code == Errc::not_member) return kExitPassphrase;
  if (code == Errc::unreachable || code == Errc::timeout || code == Errc::login_refused)
    return exit_status_for(code);
  return kExitFailure;
}

int change(const std::string& room_url, const CommonOptions& opts, Action action,
           const std::string& who, Role role, const std::string& name) {
  Session s;
  if (int rc = s.open(room_url, opts); rc != 0) return rc;
  int status = 0;
  auto room = s.room(status);
  if (!room) return status;
  if (auto done = room->change_membership(action, who, role, name); !done) {
    // The detail says what to do; the generic advice of describe() would mislead here.
    const bool network = change_status(done.error().code) != kExitFailure &&
                         change_status(done.error().code) != kExitUsage;
    return fail(change_status(done.error().code),
                network ? describe(done.error()) : done.error().detail);
  }
  return kExitOk;
}

std::optional<Role> role_of(const std::string& text) { return parse_role(text); }

}  // namespace

int run_id_new(const CommonOptions& opts, bool seal) {
  std::shared_ptr<const Identity> created;
  auto path = create_identity(opts.chatid, seal, opts.chatid_passfile, created);
  if (!path)
    return fail(path.error().code == Errc::exists || path.error().code == Errc::invalid_argument
                    ? kExitUsage
                    : kExitFailure,
                describe(path.error()));
  std::printf("%s\n", format_public_id(created->public_key()).c_str());
  std::fprintf(stderr,
               "ftpchat: identity written to %s%s; give the line above to whoever invites you, "
               "and keep the file private (copy it to use the same identity on another device)\n",
               path->c_str(), seal ? " (sealed with your passphrase)" : "");
  return kExitOk;
}

int own_public_id(const CommonOptions& opts, std::filesystem::path& file, std::string& public_id) {
  file = opts.chatid.empty() ? default_identity_path() : std::filesystem::path(opts.chatid);
  auto text = read_identity_file(file);
  if (!text) {
    if (text.error().code == Errc::not_found)
      return fail(kExitUsage, "no identity at " + file.string() + "; create one with ftpchat id new");
    return fail(kExitUsage, describe(text.error()));
  }
  auto parsed = parse_identity_file(*text);
  if (!parsed) return fail(kExitUsage, "identity file " + file.string() + ": " + parsed.error().detail);
  public_id = format_public_id(parsed->public_key);
  return kExitOk;
}

int run_id_show(const CommonOptions& opts, bool ssh) {
  std::filesystem::path file;
  std::string public_id;
  if (int rc = own_public_id(opts, file, public_id); rc != kExitOk) return rc;
  if (ssh) return print_certified_id(file, public_id);
  std::printf("%s\n", public_id.c_str());
  return kExitOk;
}

int run_invite(const std::string& room_url, const CommonOptions& opts, const std::string& name,
               const std::string& public_id, const std::string& role) {
  auto r = role_of(role);
  if (!r) return fail(kExitUsage, "--role must be member, admin or owner");
  if (auto valid = validate_member_name(name); !valid)
    return fail(kExitUsage, "NAME " + name + ": " + valid.error().detail);
  if (auto key = parse_public_id(public_id); !key) return fail(kExitUsage, key.error().detail);
  return change(room_url, opts, Action::invite, public_id, *r, name);
}

int run_remove(const std::string& room_url, const CommonOptions& opts, const std::string& who) {
  return change(room_url, opts, Action::remove, who, Role::none, "");
}

int run_role(const std::string& room_url, const CommonOptions& opts, const std::string& who,
             const std::string& role) {
  auto r = role_of(role);
  if (!r) return fail(kExitUsage, "ROLE must be member, admin or owner");
  return change(room_url, opts, Action::role, who, *r, "");
}

int run_members(const std::string& room_url, const CommonOptions& opts) {
  Session s;
  if (int rc = s.open(room_url, opts); rc != 0) return rc;
  int status = 0;
  auto room = s.room(status);
  if (!room) return status;
  if (!room->member()) return fail(kExitUsage, "room '" + room->name() + "' is a passphrase room: it has no member list");
  if (auto synced = room->sync(); !synced)
    return fail(exit_status_for(synced.error().code), describe(synced.error()));
  std::fputs(room->members_text().c_str(), stdout);
  return kExitOk;
}

}  // namespace ftpchat
