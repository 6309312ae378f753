// read_keys (see keys.hpp): the only file that knows curses key codes.
#include "keys.hpp"

#include <curses.h>

#include <cstring>

#include "line_editor.hpp"

namespace ftpchat::chat {

namespace {
using Kind = KeyEvent::Kind;

void add_edit(std::vector<KeyEvent>& out, std::wstring_view text) {
  if (!out.empty() && out.back().kind == Kind::edit) {
    out.back().text += text;
  } else {
    out.push_back(KeyEvent{Kind::edit, std::wstring(text), 0});
  }
}

void add(std::vector<KeyEvent>& out, Kind kind, int room = 0) {
  out.push_back(KeyEvent{kind, {}, room});
}

// A function key curses decoded.
void function_key(std::vector<KeyEvent>& out, wint_t key) {
  switch (key) {
    case KEY_LEFT:
      add_edit(out, keyseq::left);
      return;
    case KEY_RIGHT:
      add_edit(out, keyseq::right);
      return;
    case KEY_UP:
      add_edit(out, keyseq::up);
      return;
    case KEY_DOWN:
      add_edit(out, keyseq::down);
      return;
    case KEY_HOME:
      add_edit(out, keyseq::home);
      return;
    case KEY_END:
      add_edit(out, keyseq::end);
      return;
    case KEY_DC:
      add_edit(out, keyseq::del);
      return;
    case KEY_BACKSPACE:
      add_edit(out, keyseq::backspace);
      return;
    case KEY_ENTER:
      add_edit(out, L"\n");
      return;
    case KEY_PPAGE:
      add(out, Kind::page_up);
      return;
    case KEY_NPAGE:
      add(out, Kind::page_down);
      return;
    case KEY_RESIZE:
      add(out, Kind::resize);
      return;
    default:
      break;
  }
  // Ctrl+Left/Right have no KEY_ constant; terminfo names them kLFT5 and kRIT5.
  const char* name = keyname(static_cast<int>(key));
  if (name != nullptr && std::strcmp(name, "kLFT5") == 0) add_edit(out, keyseq::word_left);
  if (name != nullptr && std::strcmp(name, "kRIT5") == 0) add_edit(out, keyseq::word_right);
}

void control_key(std::vector<KeyEvent>& out, wchar_t c) {
  switch (c) {
    case L'\r':
    case L'\n':
      add_edit(out, L"\n");
      return;
    case 0x03:
      add(out, Kind::interrupt);
      return;
    case 0x04:
      add(out, Kind::end_of_input);
      return;
    case 0x0c:
      add(out, Kind::redraw);
      return;
    case 0x1a:
      add(out, Kind::suspend);
      return;
    case L'\t':
      add(out, Kind::complete);
      return;
    default:
      add_edit(out, std::wstring(1, c));
      return;
  }
}
}  // namespace

std::vector<KeyEvent> read_keys() {
  std::vector<KeyEvent> out;
  for (;;) {
    wint_t key = 0;
    const int got = get_wch(&key);
    if (got == ERR) break;
    if (got == KEY_CODE_YES) {
      function_key(out, key);
      continue;
    }
    const auto c = static_cast<wchar_t>(key);
    if (c == 0x1b) {
      // Alt+key arrives as ESC and the key (curses found no function key in them).
      wint_t next = 0;
      const int more = get_wch(&next);
      if (more == OK && next >= L'1' && next <= L'9') {
        add(out, Kind::room, static_cast<int>(next - L'0'));
      } else if (more == OK) {
        add_edit(out, std::wstring{L'\x1b', static_cast<wchar_t>(next)});
      } else if (more == KEY_CODE_YES) {
        function_key(out, next);
      }
      continue;  // a lone ESC does nothing
    }
    if (c < 0x20 || c == 0x7f) {
      if (c == 0x7f)
        add_edit(out, keyseq::backspace);
      else
        control_key(out, c);
      continue;
    }
    add_edit(out, std::wstring(1, c));
  }
  return out;
}

}  // namespace ftpchat::chat
