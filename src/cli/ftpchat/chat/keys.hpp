// Keys as the full-screen client sees them: curses decodes the terminal's sequences; this
// turns each into either editing input for the line editor (keyseq) or a client action.
#pragma once

#include <string>
#include <vector>

namespace ftpchat::chat {

struct KeyEvent {
  enum class Kind {
    edit,  // `text` goes to the line editor (may hold a newline: Enter)
    page_up,
    page_down,
    room,  // Alt+digit: `room` (1-based)
    resize,
    redraw,        // Ctrl+L
    interrupt,     // Ctrl+C: clear the line, or quit on an empty one
    end_of_input,  // Ctrl+D: quit on an empty line, else delete the next character
    suspend,       // Ctrl+Z
    complete,      // Tab: complete the nick before the cursor (else a tab character)
  };
  Kind kind = Kind::edit;
  std::wstring text;
  int room = 0;
};

// Every key curses has ready now (never waits). Consecutive text keys are merged.
std::vector<KeyEvent> read_keys();

}  // namespace ftpchat::chat
