// The input line's editing and history, by libedit (BSD licence, Debian libedit): emacs
// keys, a kill ring, Up/Down through earlier lines. libedit edits a line it believes is on a
// terminal of its own: a private pseudo-terminal that nobody reads, while its output goes
// to /dev/null. So libedit never writes to the real screen nor changes its modes; curses
// owns the terminal, reads the keys, hands them over here, and draws the line from
// text()/cursor(). History stays in memory: chat lines never land in a file.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ftpchat/core/error.hpp"
#include "unique_fd.hpp"

struct editline;
struct historyW;

namespace ftpchat::chat {

// Input sequences for keys curses decodes; libedit is bound to exactly these.
namespace keyseq {
inline constexpr std::wstring_view left = L"\x1b[D", right = L"\x1b[C", up = L"\x1b[A",
                                   down = L"\x1b[B", home = L"\x1b[H", end = L"\x1b[F",
                                   del = L"\x1b[3~", backspace = L"\x7f",
                                   word_left =
                                       L"\x1b"
                                       L"b",
                                   word_right =
                                       L"\x1b"
                                       L"f";
}

class LineEditor {
 public:
  static Result<std::unique_ptr<LineEditor>> open();
  ~LineEditor();
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;

  // Edits with `keys` (characters and keyseq sequences). Returns the lines completed by a
  // newline in them, in order; each also goes into the history.
  std::vector<std::wstring> feed(std::wstring_view keys);
  std::wstring_view text() const;
  std::size_t cursor() const;  // index into text()
  void clear();                // drops the line being typed
  // Replaces the `count` characters before the cursor with `text` (a completion).
  void replace_before_cursor(std::size_t count, std::wstring_view text);

 private:
  LineEditor() = default;
  static int read_key(editline* el, wchar_t* out);
  void restart_line();

  UniqueFd master_, slave_;
  std::FILE* in_ = nullptr;
  std::FILE* null_out_ = nullptr;
  editline* el_ = nullptr;
  historyW* history_ = nullptr;
  std::deque<wchar_t> queue_;  // keys not yet read by libedit
};

}  // namespace ftpchat::chat
