// Session: the ftpchat commands' way into a room, with the same passphrase and identity
// rules as the mount.
#include "session.hpp"

#include <cstdio>

#include "cli/exit_status.hpp"
#include "cli/identity_source.hpp"
#include "cli/make_transport.hpp"
#include "cli/passphrase.hpp"
#include "cli/user_paths.hpp"

namespace ftpchat {

int fail(int status, const std::string& message) {
  std::fprintf(stderr, "ftpchat: %s\n", message.c_str());
  return status;
}

int Session::open(const std::string& room_url, const CommonOptions& opts, Passphrase passphrase,
                  Suite suite) {
  auto parsed = parse_room_url(room_url);
  if (!parsed) return fail(kExitUsage, describe(parsed.error()));
  url_ = std::move(parsed.value());
  opts_ = opts;
  suite_ = suite;
  if (opts.verbose) log_.set_level(LogLevel::debug);
  const std::string nick = opts.nick.empty() ? user_login_name() : opts.nick;
  if (nick.size() > kMaxNickBytes)
    return fail(kExitUsage, "nick is longer than 64 bytes; choose a shorter --nick");
  auto identity = load_identity(opts.chatid, opts.chatid_passfile);
  if (!identity)
    return fail(identity.error().code == Errc::wrong_passphrase ? kExitPassphrase : kExitUsage,
                describe(identity.error()));
  identity_ = identity.value();
  if (passphrase == Passphrase::never && !identity_)
    return fail(kExitUsage, "a member room needs your identity: create one with ftpchat id new "
                            "(or give --chatid FILE)");
  SecretBytes pass;
  const bool ask = passphrase == Passphrase::ask_now ||
                   (passphrase == Passphrase::when_needed &&
                    (!identity_ || passphrase_given(opts.passfile)));
  if (ask) {
    auto given = obtain_passphrase(opts.passfile);
    if (!given) return fail(kExitUsage, given.error().detail);
    pass = std::move(given.value());
    passphrase_asked_ = true;
  }
  return start(std::move(pass));
}

int Session::start(SecretBytes passphrase) {
  EngineConfig config;
  config.nick = opts_.nick.empty() ? user_login_name() : opts_.nick;
  config.state_dir = user_state_dir();
  config.room_suite = suite_;
  config.compress = opts_.compress;
  config.receipts = opts_.receipts;
  config.identity = identity_;
  TransportOptions transport_opts = opts_.transport;
  transport_opts.verbose = opts_.verbose;
  auto transport = make_transport(url_.base, transport_opts, log_);
  if (!transport) return fail(exit_status_for(transport.error().code), describe(transport.error()));
  engine_.reset();
  engine_ = std::make_unique<ChatEngine>(std::move(transport.value()), std::move(config),
                                         std::move(passphrase), log_, wall_,
                                         transport_factory(url_.base, transport_opts, log_));
  if (auto started = engine_->start(); !started)
    return fail(exit_status_for(started.error().code), describe(started.error()));
  return 0;
}

std::shared_ptr<Room> Session::room(int& status) {
  auto entry = engine_->find(url_.room, std::chrono::milliseconds(0));
  if (!entry && !passphrase_asked_) {
    // Not among the member rooms: if passphrase rooms are there, their names need it.
    bool passphrase_rooms = false;
    for (const RoomEntry& e : engine_->rooms(std::chrono::milliseconds(60000)))
      passphrase_rooms |= !e.room && e.unreadable_code == Errc::invalid_argument;
    if (passphrase_rooms) {
      passphrase_asked_ = true;
      auto given = obtain_passphrase(opts_.passfile);
      if (!given) {
        status = fail(kExitUsage, given.error().detail);
        return nullptr;
      }
      if ((status = start(std::move(given.value()))) != 0) return nullptr;
      entry = engine_->find(url_.room, std::chrono::milliseconds(0));
    }
  }
  if (!entry) {
    std::size_t not_ours = 0;
    for (const RoomEntry& e : engine_->rooms(std::chrono::milliseconds(60000)))
      not_ours += !e.room && e.unreadable_code == Errc::not_member;
    status = fail(kExitRemote, "no room '" + url_.room + "' at " + url_.base.redacted() +
                                   (not_ours == 0 ? " (create it with ftpchat init)"
                                                  : " that you can open (" + std::to_string(not_ours) +
                                                        " member room(s) there are not yours: "
                                                        "their names are secret to their members)"));
    return nullptr;
  }
  if (!entry->room) {
    status = fail(kExitPassphrase, "room '" + url_.room + "' cannot be opened: " +
                                       entry->unreadable_reason);
    return nullptr;
  }
  return entry->room;
}

}  // namespace ftpchat
