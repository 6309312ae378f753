// ChatEngine, creating rooms (mkdir, ftpchat init): a passphrase room or a member room,
// uploaded folder first, then its header, with retries that never overwrite anything.
#include "engine_messages.hpp"
#include "ftpchat/record/header.hpp"
#include "ftpchat/room/chat_engine.hpp"
#include "ftpchat/room/room_layout.hpp"

namespace ftpchat {

namespace {
// Uploads a new room: its folder, then its header. Rules for a request whose outcome is unknown:
// 1. It is retried once (the transport reconnects).
// 2. mkdir answering "exists" on that retry is our own first MKD: the folder is named by the
//    room id we just drew at random, so nobody else can have made it.
// 3. The header answering "exists" on its retry is read back and accepted only if its bytes
//    are ours; anything else is left alone and reported.
Result<void> upload_new_room(Transport& transport, const std::string& folder,
                             const std::string& header) {
  auto made = transport.make_dir(folder);
  if (!made && on_the_way(made.error().code)) {
    made = transport.make_dir(folder);
    if (!made && made.error().code == Errc::exists) made = Result<void>();
  }
  if (!made) return made;
  const std::string path = layout::join(folder, layout::kHeaderFile);
  auto written = transport.create_file(path, header);
  if (!written && on_the_way(written.error().code)) {
    written = transport.create_file(path, header);
    if (!written && written.error().code == Errc::exists) {
      auto back = transport.read(path, 0);
      if (!back) return back.error();
      if (back.value() != header)
        return make_error(Errc::bad_data, "the header of new room folder " + folder +
                                              " on the server is not the one uploaded; try again");
      written = Result<void>();
    }
  }
  return written;
}
}  // namespace

Result<void> ChatEngine::create_room(std::string_view name) {
  if (auto valid = validate_room_name(name); !valid) return valid;
  {
    std::lock_guard lock(refresh_mu_);
    if (passphrase_.empty()) {
      if (!config_.identity)
        return make_error(Errc::invalid_argument,
                          "this mount has neither a passphrase nor an identity to make a room with");
    } else {
      auto opened = ftpchat::create_room(name, passphrase_, config_.room_suite, default_kdf_params());
      if (!opened) return opened.error();
      const std::string folder = layout::room_folder(opened->header.room_id);
      const std::string header = opened->header.raw;
      if (config_.room_suite == Suite::mono24_insecure)
        log_.warning(kMono24Warning + ("'" + std::string(name) + "'"));
      return upload_and_add(name, folder, header, std::move(opened.value()), nullptr);
    }
  }
  return create_member_room(name, {});
}

Result<void> ChatEngine::create_member_room(std::string_view name,
                                            const std::vector<GenesisMember>& members) {
  if (!config_.identity)
    return make_error(Errc::invalid_argument,
                      "a member room needs your identity: create one with ftpchat id new");
  if (auto valid = validate_room_name(name); !valid) return valid;
  if (auto valid = validate_member_name(config_.nick); !valid)
    return make_error(Errc::invalid_argument, "your name in the room ('" + config_.nick +
                                                  "'): " + valid.error().detail +
                                                  "; choose another nick");
  std::lock_guard lock(refresh_mu_);
  auto made = ftpchat::create_member_room(name, *config_.identity, config_.nick, members,
                                          clock_.tick());
  if (!made) return made.error();
  auto header = parse_header(made->header);
  if (!header) return header.error();
  const std::string folder = layout::room_folder(made->room_id);
  // Opened from the header as every reader opens it (the owner's slot: no request).
  auto member = MemberRoom::open(transport_, folder, *header, config_.identity);
  if (!member) return member.error();
  OpenedRoom opened{*header, std::string(name), nullptr};
  return upload_and_add(name, folder, made->header, std::move(opened), std::move(*member));
}

Result<void> ChatEngine::upload_and_add(std::string_view name, const std::string& folder,
                                        const std::string& header, OpenedRoom opened,
                                        std::unique_ptr<MemberRoom> member) {
  if (auto listed = refresh_locked(); !listed) return listed;
  {
    std::lock_guard rooms(rooms_mu_);
    for (const auto& [f, slot] : slots_)
      if (slot.room && slot.room->name() == name)
        return make_error(Errc::exists, "room '" + std::string(name) + "' already exists");
  }
  if (auto uploaded = upload_new_room(transport_, folder, header); !uploaded) return uploaded;
  if (headers_) headers_->store(folder, header);
  std::lock_guard rooms(rooms_mu_);
  slots_[folder] = Slot{std::make_shared<Room>(std::move(opened), folder, room_context(),
                                               std::move(member)),
                        "", Errc::internal};
  log_.info(std::string(slots_[folder].room->member() ? "created member room " : "created room ") +
            folder);
  return {};
}

}  // namespace ftpchat
