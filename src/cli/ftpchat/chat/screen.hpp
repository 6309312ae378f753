// The terminal, through ncursesw: the conversation of the room shown scrolls above a status
// line and the fixed input line. Everything is redrawn from the session's state, so a
// message arriving while the user types only changes rows above the input line.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "chat_session.hpp"
#include "ftpchat/core/error.hpp"
#include "input_view.hpp"

namespace ftpchat::chat {

class Screen {
 public:
  // Takes over the terminal (stdin/stdout). Colours unless `colour` is false (NO_COLOR)
  // or the terminal has none.
  static Result<std::unique_ptr<Screen>> open(bool colour);
  ~Screen();  // gives the terminal back as it was
  Screen(const Screen&) = delete;
  Screen& operator=(const Screen&) = delete;

  int conversation_rows() const;
  bool colour() const { return palette_size_ > 0; }
  // Redraws everything: conversation, status line, input line (text and cursor index).
  void draw(ChatSession& session, std::wstring_view input, std::size_t cursor);
  // PgUp/PgDn in the room shown: a screen less one row, loading older lines at the top.
  void page(ChatSession& session, bool up);
  void resized();       // KEY_RESIZE: curses has the new size
  void force_redraw();  // Ctrl+L
  void suspend();       // Ctrl+Z: the shell's job control, then back

 private:
  Screen() = default;
  void draw_conversation(ChatSession& session);
  void draw_status(const ChatSession& session);
  void draw_input(std::wstring_view input, std::size_t cursor);
  void draw_styled(int y, const StyledLine& line, std::size_t begin, std::size_t end, int indent);
  int attributes(const Span& span) const;

  std::size_t palette_size_ = 0;  // 0: no colours
  InputView input_view_;
};

}  // namespace ftpchat::chat
