// Screen: drawing the session with ncursesw (see screen.hpp). Layout, top to bottom: the
// conversation (all rows but two), the status line (rooms with unread counts, the user's
// nick, pending lines, scrolling), the input line.
#include "screen.hpp"

#include <curses.h>
#include <signal.h>

#include <algorithm>
#include <array>
#include <map>
#include <string>

#include "text_cells.hpp"
#include "wrap.hpp"

namespace ftpchat::chat {

namespace {
constexpr std::string_view kPrompt = "> ";
constexpr std::size_t kOlderLinesPerLoad = 200;
// Nick colours: readable on dark and light backgrounds.
constexpr std::array<short, 12> kPalette256 = {33,  35,  37,  64,  99,  130,
                                               133, 136, 160, 166, 172, 31};
constexpr std::array<short, 6> kPalette8 = {COLOR_RED,  COLOR_GREEN,   COLOR_YELLOW,
                                            COLOR_BLUE, COLOR_MAGENTA, COLOR_CYAN};
constexpr short kPairNotice = 40, kPairLocal = 41, kPairMarker = 42, kPairMark = 43;

// The active room's lines as rows at the screen's width; a room's marker takes the first
// row of its line. Styled and wrapped lines are kept for one frame.
class FeedRows : public RowSource {
 public:
  FeedRows(ChatSession& session, ChatRoom& room, int width, std::size_t palette)
      : session_(session), room_(room), width_(width), palette_(palette) {}
  std::int64_t first_id() const override { return room_.feed->first_id(); }
  std::int64_t end_id() const override { return room_.feed->end_id(); }
  int rows(std::int64_t id) const override {
    return static_cast<int>(laid_out(id).rows.size()) + (room_.marker == id ? 1 : 0);
  }
  bool load_older() override {
    cache_.clear();
    return room_.feed->load_older(kOlderLinesPerLoad) > 0;
  }
  struct Laid {
    StyledLine line;
    std::vector<Row> rows;
  };
  const Laid& laid_out(std::int64_t id) const {
    auto it = cache_.find(id);
    if (it != cache_.end()) return it->second;
    Laid laid{session_.styled(room_, id, palette_), {}};
    laid.rows = wrap_line(laid.line.text, width_, laid.line.indent);
    return cache_.emplace(id, std::move(laid)).first->second;
  }

 private:
  ChatSession& session_;
  ChatRoom& room_;
  int width_;
  std::size_t palette_;
  mutable std::map<std::int64_t, Laid> cache_;
};

std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';  // tabs: one cell, as wrap counts them
  return out;
}

std::string fit(std::string text, int cells) {
  if (cells <= 0) return {};
  if (display_width(text) <= cells) return text;
  return text.substr(0, fit_prefix(text, cells));
}
}  // namespace

Result<std::unique_ptr<Screen>> Screen::open(bool colour) {
  std::unique_ptr<Screen> screen(new Screen());
  if (initscr() == nullptr)
    return make_error(Errc::io, "cannot start the full-screen client on this terminal");
  raw();  // Ctrl+C, Ctrl+Z, Ctrl+S reach the client as keys
  noecho();
  nonl();
  keypad(stdscr, TRUE);
  nodelay(stdscr, TRUE);
  set_escdelay(25);
  if (colour && has_colors() && start_color() == OK) {
    use_default_colors();
    if (COLORS >= 256) {
      for (std::size_t i = 0; i < kPalette256.size(); ++i)
        init_pair(static_cast<short>(i + 1), kPalette256[i], -1);
      screen->palette_size_ = kPalette256.size();
    } else {
      for (std::size_t i = 0; i < kPalette8.size(); ++i)
        init_pair(static_cast<short>(i + 1), kPalette8[i], -1);
      screen->palette_size_ = kPalette8.size();
    }
    init_pair(kPairNotice, COLOR_RED, -1);
    init_pair(kPairLocal, COLOR_CYAN, -1);
    init_pair(kPairMarker, COLOR_RED, -1);
    init_pair(kPairMark, COLOR_GREEN, -1);
  }
  return screen;
}

Screen::~Screen() { endwin(); }

int Screen::conversation_rows() const { return LINES > 2 ? LINES - 2 : 0; }

void Screen::page(ChatSession& session, bool up) {
  ChatRoom& room = session.active();
  const int height = conversation_rows();
  if (!room.feed || height <= 0) return;
  FeedRows src(session, room, COLS, palette_size_);
  const int step = std::max(height - 1, 1);
  if (up)
    room.view.page_up(src, step, height);
  else
    room.view.page_down(src, step);
}

void Screen::resized() { clearok(curscr, TRUE); }

void Screen::force_redraw() { clearok(curscr, TRUE); }

void Screen::suspend() {
  endwin();
  ::raise(SIGTSTP);  // stops here until the shell's fg
  clearok(curscr, TRUE);
}

int Screen::attributes(const Span& span) const {
  const bool c = palette_size_ > 0;
  switch (span.style) {
    case Style::plain:
      return A_NORMAL;
    case Style::time:
      return A_DIM;
    case Style::nick:
      return c ? COLOR_PAIR(static_cast<short>(span.colour % palette_size_ + 1)) : A_NORMAL;
    case Style::own_nick:
      return A_BOLD;
    case Style::action:
      return A_BOLD;
    case Style::mention:
      return A_BOLD | A_REVERSE;
    case Style::notice:
      return c ? COLOR_PAIR(kPairNotice) : A_BOLD;
    case Style::local:
      return c ? COLOR_PAIR(kPairLocal) : A_DIM;
    case Style::mark:
      return c ? COLOR_PAIR(kPairMark) | A_DIM : A_DIM;
    case Style::marker:
      return c ? COLOR_PAIR(kPairMarker) | A_BOLD : A_BOLD;
  }
  return A_NORMAL;
}

void Screen::draw_styled(int y, const StyledLine& line, std::size_t begin, std::size_t end,
                         int indent) {
  move(y, 0);
  for (int i = 0; i < indent; ++i) addch(' ');
  std::size_t pos = begin;
  auto put = [&](std::size_t to, int attr) {
    if (to <= pos) return;
    attrset(attr);
    const std::string piece = printable(std::string_view(line.text).substr(pos, to - pos));
    addnstr(piece.data(), static_cast<int>(piece.size()));
    pos = to;
  };
  for (const Span& span : line.spans) {
    if (span.end <= pos) continue;
    if (span.begin >= end) break;
    put(std::min(span.begin, end), A_NORMAL);
    put(std::min(span.end, end), attributes(span));
  }
  put(end, A_NORMAL);
  attrset(A_NORMAL);
}

void Screen::draw_conversation(ChatSession& session) {
  ChatRoom& room = session.active();
  const int height = conversation_rows();
  if (!room.feed || height <= 0) return;
  FeedRows src(session, room, COLS, palette_size_);
  if (room.reveal_marker && room.marker) room.view.reveal(src, *room.marker, height);
  room.reveal_marker = false;
  const std::vector<RowRef> rows = room.view.visible(src, height);
  // Short conversations sit at the bottom, next to the input line, as in irc clients.
  int y = height - static_cast<int>(rows.size());
  for (const RowRef& ref : rows) {
    int row = ref.row;
    if (room.marker == ref.id) {
      if (row == 0) {
        const StyledLine marker = marker_line(COLS);
        draw_styled(y++, marker, 0, fit_prefix(marker.text, COLS), 0);
        continue;
      }
      --row;
    }
    const FeedRows::Laid& laid = src.laid_out(ref.id);
    const Row& r = laid.rows[static_cast<std::size_t>(row)];
    draw_styled(y++, laid.line, r.begin, r.end, r.indent);
  }
  // The lines on screen are seen (a line cut off at the bottom is not, yet).
  if (!rows.empty()) {
    const RowRef& last = rows.back();
    session.shown(last.row + 1 < src.rows(last.id) ? last.id - 1 : last.id);
  }
}

void Screen::draw_status(const ChatSession& session) {
  const int y = LINES - 2;
  move(y, 0);
  attrset(A_REVERSE);
  for (int i = 0; i < COLS; ++i) addch(' ');
  move(y, 0);
  const auto& rooms = session.rooms();
  int x = 0;
  for (std::size_t i = 0; i < rooms.size(); ++i) {
    const ChatRoom& r = rooms[i];
    std::string tab = std::to_string(i + 1) + ":" + r.ref.name;
    if (i == session.active_index())
      tab = "[" + tab + "]";
    else if (r.unread > 0)
      tab += "(" + std::to_string(r.unread) + (r.mentions > 0 ? "!)" : ")");
    tab = " " + tab;
    const int w = display_width(tab);
    if (x + w > COLS) break;
    attrset(A_REVERSE | (i == session.active_index() || r.mentions > 0 ? A_BOLD : 0));
    addnstr(tab.data(), static_cast<int>(tab.size()));
    x += w;
  }
  const ChatRoom& active = session.rooms()[session.active_index()];
  std::string right = session.nick_known() ? session.nick() : "";
  const std::size_t pending = session.deliveries().pending(active.ref.name);
  auto add = [&](const std::string& part) { right += (right.empty() ? "" : " | ") + part; };
  if (pending > 0) add(std::to_string(pending) + " pending");
  if (!active.server_problem.empty()) add("server: " + active.server_problem);
  if (!active.view.following()) add("more below: PgDn");
  right += " ";
  const int space = COLS - x - 2;
  right = fit(right, space);
  if (!right.empty()) {
    attrset(A_REVERSE);
    mvaddnstr(y, COLS - display_width(right), right.data(), static_cast<int>(right.size()));
  }
  attrset(A_NORMAL);
}

void Screen::draw_input(std::wstring_view input, std::size_t cursor) {
  const int y = LINES - 1;
  move(y, 0);
  clrtoeol();
  addnstr(kPrompt.data(), static_cast<int>(kPrompt.size()));
  const int width = COLS - static_cast<int>(kPrompt.size());
  const InputWindow w = input_view_.fit(input, cursor, width);
  std::wstring shown(input.substr(w.first, w.last - w.first));
  for (wchar_t& c : shown)
    if (c < 0x20) c = L' ';
  addnwstr(shown.c_str(), static_cast<int>(shown.size()));
  move(y, static_cast<int>(kPrompt.size()) + w.cursor_column);
}

void Screen::draw(ChatSession& session, std::wstring_view input, std::size_t cursor) {
  erase();
  if (LINES < 3 || COLS < 10) {
    mvaddstr(0, 0, "terminal too small");
    refresh();
    return;
  }
  draw_conversation(session);
  draw_status(session);
  draw_input(input, cursor);
  refresh();
}

}  // namespace ftpchat::chat
