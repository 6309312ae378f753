// ChatEngine, opening rooms: a passphrase room from its header, a member room with the
// user's identity; what cannot be opened is listed as unreadable, with the reason.
#include "engine_messages.hpp"
#include "ftpchat/record/header.hpp"
#include "ftpchat/room/chat_engine.hpp"
#include "ftpchat/room/room_layout.hpp"

namespace ftpchat {

using Clock = std::chrono::steady_clock;

Result<ChatEngine::Slot> ChatEngine::open_folder(const std::string& folder,
                                                  bool missing_header_logged) {
  auto raw = transport_.read(layout::join(folder, layout::kHeaderFile), 0);
  auto unreadable = [&](const Error& err, bool log = true) {
    if (log) log_.warning("room " + folder + " cannot be opened: " + describe(err));
    return Slot{nullptr, describe(err), err.code};
  };
  if (!raw) {
    // No header: a room being created (nothing else there yet, skipped until it appears),
    // or one whose header was deleted (writer files there): unreadable, with the reason.
    if (raw.error().code != Errc::not_found) return raw.error();
    auto listing = transport_.list(folder);
    bool has_writers = false;
    if (listing)
      for (const DirEntry& e : listing.value())
        has_writers |= layout::parse_writer_file(e.name).has_value() ||
                       (e.is_dir && layout::is_period_folder(e.name));
    if (!has_writers) return raw.error();
    Slot slot = unreadable(
        make_error(Errc::bad_data, "the header of room " + folder + " is missing"),
        !missing_header_logged);
    slot.header_missing = true;
    return slot;
  }
  if (raw->size() > kMaxHeaderV2Bytes)
    return unreadable(make_error(Errc::bad_data, "the header of room " + folder + " is too large"));
  auto header = parse_header(raw.value());
  if (!header) return unreadable(header.error());
  if (layout::room_folder(header->room_id) != folder)  // a header copied from another room
    return unreadable(make_error(Errc::bad_data, "the header in folder " + folder +
                                                     " belongs to room " +
                                                     to_hex(header->room_id)));
  if (header->version == 2) return open_member_folder(folder, *header);
  if (!passphrase_available())
    return unreadable(make_error(Errc::invalid_argument,
                                 "room " + folder + " is a passphrase room, and this mount has no "
                                 "passphrase (-o passfile=FILE or FTPCHAT_PASSPHRASE)"));
  auto opened = open_room(header.value(), passphrase_);
  if (!opened) return unreadable(opened.error());
  if (opened->header.suite == Suite::mono24_insecure)
    log_.warning(kMono24Warning + ("'" + opened->name + "'"));
  if (auto valid = validate_room_name(opened->name); !valid)
    return unreadable(make_error(Errc::bad_data, "room " + folder + " has an unusable name"));
  RoomContext ctx = room_context();
  log_.debug("opened room " + folder);
  return Slot{std::make_shared<Room>(std::move(opened.value()), folder, ctx), "", Errc::internal};
}

bool ChatEngine::passphrase_available() {
  if (!passphrase_.empty()) return true;
  if (!starting_ || asked_ || !config_.ask_passphrase) return false;
  asked_ = true;
  auto typed = config_.ask_passphrase();
  if (!typed) {
    log_.warning("passphrase rooms stay unreadable: " + describe(typed.error()));
    return false;
  }
  passphrase_ = std::move(typed.value());
  return !passphrase_.empty();
}

// A member room opens with the identity (grant in the header, or in keys/ for a later
// invitee); a room it is not a member of stays listed as unreadable and is tried again now
// and then (refresh_locked), so an invitation shows up while mounted.
Result<ChatEngine::Slot> ChatEngine::open_member_folder(const std::string& folder,
                                                        const RoomHeader& header) {
  const auto now = Clock::now();
  if (!config_.identity)
    return Slot{nullptr,
                "room " + folder + " is a member room, and this mount has no identity "
                "(create one with ftpchat id new, or give -o chatid=FILE)",
                Errc::not_member, now};
  auto member = MemberRoom::open(transport_, folder, header, config_.identity);
  if (!member) {
    const Errc code = member.error().code;
    if (code == Errc::not_member) {
      log_.debug("room " + folder + ": " + describe(member.error()));
      return Slot{nullptr, describe(member.error()), code, now};
    }
    if (code != Errc::bad_data) return member.error();  // the server: try again later
    log_.warning("room " + folder + " cannot be opened: " + describe(member.error()));
    return Slot{nullptr, describe(member.error()), code, now};
  }
  OpenedRoom opened{header, (*member)->genesis().room_name, nullptr};
  log_.debug("opened member room " + folder);
  return Slot{std::make_shared<Room>(std::move(opened), folder, room_context(), std::move(*member)),
              "", Errc::internal, now};
}

}  // namespace ftpchat
