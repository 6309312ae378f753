// Everything between an ftpchat command line and an open room: the URL, the identity, the
// passphrase (asked only when a passphrase room needs it), the transport and the engine.
#pragma once

#include <memory>
#include <string>

#include "commands.hpp"
#include "ftpchat/room/chat_engine.hpp"
#include "room_url.hpp"

namespace ftpchat {

int fail(int status, const std::string& message);

class Session {
 public:
  enum class Passphrase {
    ask_now,        // a new passphrase room: the passphrase first
    never,          // a new member room: the identity only
    when_needed,    // any room: asked only if the room is not found among the member rooms
  };

  // 0 when the engine has started; else the exit status (the error is printed).
  int open(const std::string& room_url, const CommonOptions& opts,
           Passphrase passphrase = Passphrase::when_needed, Suite suite = {});
  // The room named in the URL, or null with the exit status in `status`.
  std::shared_ptr<Room> room(int& status);

  const RoomUrl& url() const { return url_; }
  ChatEngine& engine() { return *engine_; }
  const std::shared_ptr<const Identity>& identity() const { return identity_; }

 private:
  int start(SecretBytes passphrase);

  RoomUrl url_;
  CommonOptions opts_;
  Suite suite_{};
  WallClock wall_;
  Logger log_{"ftpchat", LogLevel::warning};
  std::shared_ptr<const Identity> identity_;
  bool passphrase_asked_ = false;
  std::unique_ptr<ChatEngine> engine_;
};

}  // namespace ftpchat
