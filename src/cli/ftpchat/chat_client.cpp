// run_chat: the full-screen client on a terminal, the line mode otherwise.
#include "chat_client.hpp"

#include <unistd.h>

#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "chat/chat_tui.hpp"
#include "chat/line_mode.hpp"
#include "chat/mount_rooms.hpp"
#include "cli/exit_status.hpp"
#include "cli/user_paths.hpp"

namespace ftpchat {

namespace {
constexpr std::size_t kLineModeHistory = 20;
constexpr std::size_t kScreenHistory = 500;

bool full_screen_possible() {
  const char* term = std::getenv("TERM");
  return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && term != nullptr && *term != '\0' &&
         std::strcmp(term, "dumb") != 0;
}
}  // namespace

int run_chat(const ChatArgs& args) {
  auto rooms = chat::MountRooms::locate(args.dir);
  if (!rooms) {
    std::fprintf(stderr, "ftpchat: %s\n", rooms.error().detail.c_str());
    return kExitFailure;
  }
  if (!full_screen_possible()) {
    if (!chat::is_room_dir(args.dir)) {
      std::fprintf(stderr,
                   "ftpchat: %s is not a room folder; without a terminal (or with TERM=dumb) "
                   "chat shows one room: give ROOT/NAME\n",
                   args.dir.c_str());
      return kExitUsage;
    }
    return chat::run_line_mode(args.dir, args.history.value_or(kLineModeHistory));
  }
  std::setlocale(LC_ALL, "");  // UTF-8 input and output follow the user's locale
  chat::ChatOptions options;
  options.history = args.history.value_or(kScreenHistory);
  options.nick = args.nick;
  options.nick_guess = user_login_name();
  return chat::run_tui(std::move(rooms.value()), std::move(options));
}

}  // namespace ftpchat
