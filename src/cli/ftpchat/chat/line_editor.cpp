// LineEditor: libedit on a private pseudo-terminal (see line_editor.hpp for why).
// Rules:
//  1. libedit runs in EL_UNBUFFERED mode: each el_wgets() handles one key (or one bound
//     sequence) and returns; a line is complete when its buffer ends with '\n';
//  2. keys come only from queue_ (EL_GETCFN): libedit never reads a file descriptor, and
//     an empty queue reads as end of input, which ends el_wgets() without editing;
//  3. after a complete line, leaving and re-entering unbuffered mode gives a fresh line.
#include "line_editor.hpp"

#include <fcntl.h>
#include <histedit.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ftpchat::chat {

namespace {
constexpr int kHistorySize = 500;

Error pty_error(const char* what) {
  return make_error(Errc::io, std::string("cannot set up line editing (") + what + ": " +
                                  std::strerror(errno) + "); pipe the input for line mode");
}

void bind(EditLine* el, std::wstring_view keys, const wchar_t* function) {
  const std::wstring k(keys);
  el_wset(el, EL_BIND, k.c_str(), function, static_cast<const wchar_t*>(nullptr));
}
}  // namespace

Result<std::unique_ptr<LineEditor>> LineEditor::open() {
  std::unique_ptr<LineEditor> ed(new LineEditor());
  ed->master_.reset(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!ed->master_) return pty_error("posix_openpt");
  if (::grantpt(ed->master_.get()) != 0 || ::unlockpt(ed->master_.get()) != 0)
    return pty_error("unlockpt");
  char name[128];
  if (::ptsname_r(ed->master_.get(), name, sizeof name) != 0) return pty_error("ptsname");
  ed->slave_.reset(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!ed->slave_) return pty_error(name);
  winsize ws{};
  ws.ws_row = 1;
  ws.ws_col = 1000;  // one long row: libedit's (unseen) display never wraps
  ::ioctl(ed->slave_.get(), TIOCSWINSZ, &ws);
  ed->in_ = ::fdopen(::dup(ed->slave_.get()), "r");
  ed->null_out_ = std::fopen("/dev/null", "we");
  if (ed->in_ == nullptr || ed->null_out_ == nullptr) return pty_error("fdopen");
  const int fd = ed->slave_.get();
  ed->el_ = el_init_fd("ftpchat", ed->in_, ed->null_out_, ed->null_out_, fd, fd, fd);
  if (ed->el_ == nullptr) return pty_error("el_init");
  ed->history_ = history_winit();
  HistEventW ev;
  history_w(ed->history_, &ev, H_SETSIZE, kHistorySize);
  history_w(ed->history_, &ev, H_SETUNIQUE, 1);

  EditLine* el = ed->el_;
  el_set(el, EL_EDITOR, "emacs");
  el_set(el, EL_SIGNAL, 0);
  el_set(el, EL_CLIENTDATA, ed.get());
  el_wset(el, EL_GETCFN, &LineEditor::read_key);  // rule 2
  el_wset(el, EL_HIST, history_w, ed->history_);
  bind(el, keyseq::left, L"ed-prev-char");
  bind(el, keyseq::right, L"ed-next-char");
  bind(el, keyseq::up, L"ed-prev-history");
  bind(el, keyseq::down, L"ed-next-history");
  bind(el, keyseq::home, L"ed-move-to-beg");
  bind(el, keyseq::end, L"ed-move-to-end");
  bind(el, keyseq::del, L"ed-delete-next-char");
  bind(el, keyseq::backspace, L"ed-delete-prev-char");
  bind(el, L"\x08", L"ed-delete-prev-char");
  bind(el, keyseq::word_left, L"ed-prev-word");
  bind(el, keyseq::word_right, L"em-next-word");
  bind(el,
       L"\x1b"
       L"d",
       L"em-delete-next-word");
  bind(el, L"\x1b\x7f", L"ed-delete-prev-word");
  bind(el, L"\x17", L"ed-delete-prev-word");     // Ctrl+W, as in a shell
  bind(el, L"\x15", L"em-kill-line");            // Ctrl+U
  bind(el, L"\x12", L"ed-search-prev-history");  // Ctrl+R: earlier line starting so
  bind(el, L"\x09", L"ed-insert");  // a Tab that completes no nick is text (the log keeps tabs)
  el_set(el, EL_UNBUFFERED, 1);                  // rule 1
  return ed;
}

LineEditor::~LineEditor() {
  if (el_ != nullptr) el_end(el_);
  if (history_ != nullptr) history_wend(history_);
  if (in_ != nullptr) std::fclose(in_);
  if (null_out_ != nullptr) std::fclose(null_out_);
}

int LineEditor::read_key(editline* el, wchar_t* out) {
  LineEditor* self = nullptr;
  el_get(el, EL_CLIENTDATA, &self);
  if (self == nullptr || self->queue_.empty()) return 0;  // rule 2: end of input for now
  *out = self->queue_.front();
  self->queue_.pop_front();
  return 1;
}

void LineEditor::restart_line() {  // rule 3
  el_set(el_, EL_UNBUFFERED, 0);
  el_set(el_, EL_UNBUFFERED, 1);
}

std::vector<std::wstring> LineEditor::feed(std::wstring_view keys) {
  std::vector<std::wstring> done;
  queue_.insert(queue_.end(), keys.begin(), keys.end());
  while (!queue_.empty()) {
    const std::size_t before = queue_.size();
    int count = 0;
    const wchar_t* line = el_wgets(el_, &count);
    if (line != nullptr && count > 0 && line[count - 1] == L'\n') {
      std::wstring typed(line, static_cast<std::size_t>(count - 1));
      if (!typed.empty()) {
        HistEventW ev;
        history_w(history_, &ev, H_ENTER, typed.c_str());
      }
      done.push_back(std::move(typed));
      restart_line();
    }
    if (queue_.size() >= before) break;  // nothing consumed: never spin
  }
  return done;
}

void LineEditor::replace_before_cursor(std::size_t count, std::wstring_view text) {
  el_wdeletestr(el_, static_cast<int>(std::min(count, cursor())));
  const std::wstring insert(text);
  if (!insert.empty()) el_winsertstr(el_, insert.c_str());
}

std::wstring_view LineEditor::text() const {
  const LineInfoW* li = el_wline(el_);
  return std::wstring_view(li->buffer, static_cast<std::size_t>(li->lastchar - li->buffer));
}

std::size_t LineEditor::cursor() const {
  const LineInfoW* li = el_wline(el_);
  return static_cast<std::size_t>(li->cursor - li->buffer);
}

void LineEditor::clear() {
  queue_.clear();
  restart_line();
}

}  // namespace ftpchat::chat
