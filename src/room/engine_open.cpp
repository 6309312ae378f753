// ChatEngine, opening rooms: a passphrase room from its header, a member room with the
// user's identity; what cannot be opened is listed as unreadable, with the reason.
// Rules:
//  1. the header comes from this machine when it kept it (room/header_cache.hpp): no request;
//     the room's first syncs compare it with the server's (size, then bytes). A kept header
//     that does not open the room is compared with the server's at once, and only a
//     different one is tried;
//     a header that does not parse is read once more (a transfer cut short looks like that);
//  2. a header read from the server that opened its room is kept for the next mount;
//  3. rooms open in parallel (ChatEngine::refresh_locked): at most one key derivation per
//     core at a time (Argon2id takes 64 MiB each), the passphrase asked for once.
#include "engine_messages.hpp"
#include "ftpchat/record/header.hpp"
#include "ftpchat/room/chat_engine.hpp"
#include "ftpchat/room/room_layout.hpp"

namespace ftpchat {

using Clock = std::chrono::steady_clock;

Result<ChatEngine::Slot> ChatEngine::open_folder(const std::string& folder,
                                                  bool missing_header_logged) {
  std::optional<std::string> kept = headers_ ? headers_->load(folder) : std::nullopt;
  std::optional<Result<Slot>> from_kept;
  if (kept) {  // rule 1
    from_kept = open_header(folder, *kept, true);
    if (*from_kept && (*from_kept)->room) return std::move(*from_kept);
    headers_->forget(folder);
  }
  const std::string path = layout::join(folder, layout::kHeaderFile);
  auto raw = transport_.read(path, 0);
  // The same bytes, or the first of them (a transfer cut short): the same answer.
  if (raw && kept && kept->starts_with(raw.value())) {
    if (*from_kept && (*from_kept)->reason_code != Errc::not_member)
      log_.warning("room " + folder + " cannot be opened: " + (*from_kept)->reason);
    return std::move(*from_kept);
  }
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
  auto opened = open_header(folder, raw.value(), false);
  if (opened && !opened->room && opened->reason_code == Errc::bad_data) {
    // Once more: a transfer cut short can look like a short, unreadable header.
    if (auto again = transport_.read(path, 0); again && again.value() != raw.value()) {
      raw = std::move(again);
      opened = open_header(folder, raw.value(), false);
    }
  }
  if (opened && opened->room && headers_) headers_->store(folder, raw.value());  // rule 2
  return opened;
}

Result<ChatEngine::Slot> ChatEngine::open_header(const std::string& folder, const std::string& raw,
                                                 bool kept) {
  auto unreadable = [&](const Error& err) {  // a kept header's failure is told by open_folder
    if (!kept) log_.warning("room " + folder + " cannot be opened: " + describe(err));
    return Slot{nullptr, describe(err), err.code};
  };
  if (raw.size() > kMaxHeaderV2Bytes)
    return unreadable(make_error(Errc::bad_data, "the header of room " + folder + " is too large"));
  auto header = parse_header(raw);
  if (!header) return unreadable(header.error());
  if (layout::room_folder(header->room_id) != folder)  // a header copied from another room
    return unreadable(make_error(Errc::bad_data, "the header in folder " + folder +
                                                     " belongs to room " +
                                                     to_hex(header->room_id)));
  if (header->version == 2) {
    auto slot = open_member_folder(folder, *header);
    if (slot && slot->room && kept) slot->room->check_header_first();
    return slot;
  }
  if (!passphrase_available())
    return unreadable(make_error(Errc::invalid_argument,
                                 "room " + folder + " is a passphrase room, and this mount has no "
                                 "passphrase (-o passfile=FILE or FTPCHAT_PASSPHRASE)"));
  kdf_slots_.acquire();  // rule 3
  auto opened = open_room(header.value(), passphrase_);
  kdf_slots_.release();
  if (!opened) return unreadable(opened.error());
  if (opened->header.suite == Suite::mono24_insecure)
    log_.warning(kMono24Warning + ("'" + opened->name + "'"));
  if (auto valid = validate_room_name(opened->name); !valid)
    return unreadable(make_error(Errc::bad_data, "room " + folder + " has an unusable name"));
  RoomContext ctx = room_context();
  log_.debug("opened room " + folder + (kept ? " (header kept on this machine)" : ""));
  auto room = std::make_shared<Room>(std::move(opened.value()), folder, ctx);
  if (kept) room->check_header_first();
  return Slot{std::move(room), "", Errc::internal};
}

bool ChatEngine::passphrase_available() {
  std::lock_guard lock(ask_mu_);  // rooms open in parallel: one question at most
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
