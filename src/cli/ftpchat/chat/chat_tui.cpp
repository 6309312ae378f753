// run_tui (see chat_tui.hpp).
// Rules:
//  1. one thread: poll() waits for a key, a signal or the next tick; nothing blocks longer
//     than one file operation on the mount;
//  2. the screen is redrawn when the session or the input line changed, not on every tick;
//  3. SIGTERM, SIGHUP and SIGINT arrive through a signalfd, so the terminal is always given
//     back (curses' endwin) before the process ends.
#include "chat_tui.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "cli/exit_status.hpp"
#include "keys.hpp"
#include "line_editor.hpp"
#include "nick_complete.hpp"
#include "screen.hpp"
#include "text_cells.hpp"

namespace ftpchat::chat {

namespace {
constexpr std::int64_t kTickMs = 200;

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// Blocks the quitting signals for the process's life in the client and reads them from a
// descriptor; the old mask comes back at the end.
class QuitSignals {
 public:
  QuitSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, &old_);
    fd_ = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  }
  ~QuitSignals() {
    if (fd_ >= 0) ::close(fd_);
    sigprocmask(SIG_SETMASK, &old_, nullptr);
  }
  int fd() const { return fd_; }

 private:
  sigset_t old_{};
  int fd_ = -1;
};

bool colour_wanted() {
  const char* no_color = std::getenv("NO_COLOR");  // https://no-color.org: set and not empty
  return no_color == nullptr || *no_color == '\0';
}
// Tab: the nick before the cursor completed from the room's recent speakers, else a tab.
void complete(ChatSession& s, LineEditor& ed) {
  std::vector<std::wstring> speakers;
  if (const ChatRoom& room = s.active(); room.feed)
    for (const std::string& nick : recent_speakers(*room.feed, s.nick_in(room)))
      speakers.push_back(from_utf8(nick));
  if (auto done = complete_nick(ed.text(), ed.cursor(), speakers))
    ed.replace_before_cursor(done->erase, done->insert);
  else
    ed.feed(L"\t");
}
}  // namespace

int run_tui(MountRooms rooms, ChatOptions options) {
  auto session = ChatSession::start(std::move(rooms), std::move(options));
  if (!session) {
    std::fprintf(stderr, "ftpchat: %s\n", session.error().detail.c_str());
    return kExitFailure;
  }
  auto editor = LineEditor::open();
  if (!editor) {
    std::fprintf(stderr, "ftpchat: %s\n", editor.error().detail.c_str());
    return kExitFailure;
  }
  QuitSignals signals;
  auto screen = Screen::open(colour_wanted());
  if (!screen) {
    std::fprintf(stderr, "ftpchat: %s\n", screen.error().detail.c_str());
    return kExitFailure;
  }
  ChatSession& s = session.value();
  LineEditor& ed = **editor;
  Screen& scr = **screen;
  s.say("ftpchat chat: Alt+1..9 or /join switch rooms, PgUp/PgDn scroll, /help, /quit");
  bool dirty = true;
  std::int64_t next_tick = now_ms();
  for (;;) {
    if (dirty) {
      scr.draw(s, ed.text(), ed.cursor());
      dirty = false;
    }
    const std::int64_t wait = std::max<std::int64_t>(0, next_tick - now_ms());
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {signals.fd(), POLLIN, 0}};
    const int ready = ::poll(fds, signals.fd() >= 0 ? 2 : 1, static_cast<int>(wait));
    if (ready > 0 && (fds[1].revents & POLLIN)) return kExitOk;  // rule 3
    if (ready > 0 && (fds[0].revents & (POLLHUP | POLLERR)) && !(fds[0].revents & POLLIN))
      return kExitOk;  // the terminal went away
    // Keys (also after EINTR: SIGWINCH makes curses queue KEY_RESIZE).
    for (const KeyEvent& key : read_keys()) {
      dirty = true;
      switch (key.kind) {
        case KeyEvent::Kind::edit:
          for (const std::wstring& line : ed.feed(key.text))
            if (s.submit(to_utf8(line), now_ms()) == ChatSession::Outcome::quit) return kExitOk;
          break;
        case KeyEvent::Kind::page_up:
          scr.page(s, true);
          break;
        case KeyEvent::Kind::page_down:
          scr.page(s, false);
          break;
        case KeyEvent::Kind::room:
          if (!s.switch_to(static_cast<std::size_t>(key.room - 1)))
            s.say("no room " + std::to_string(key.room) + "; /rooms lists them");
          break;
        case KeyEvent::Kind::resize:
          scr.resized();
          break;
        case KeyEvent::Kind::redraw:
          scr.force_redraw();
          break;
        case KeyEvent::Kind::interrupt:
          if (ed.text().empty()) return kExitOk;
          ed.clear();
          break;
        case KeyEvent::Kind::end_of_input:
          if (ed.text().empty()) return kExitOk;
          ed.feed(keyseq::del);
          break;
        case KeyEvent::Kind::suspend:
          scr.suspend();
          break;
        case KeyEvent::Kind::complete:
          complete(s, ed);
          break;
      }
    }
    if (now_ms() >= next_tick) {
      dirty = s.poll(now_ms()) || dirty;
      next_tick = now_ms() + kTickMs;
    }
  }
}

}  // namespace ftpchat::chat
