// The terminal client's text layout: cell widths of UTF-8 text, word wrapping of long and
// wide-character lines, and the input line's sideways scrolling.
#include <gtest/gtest.h>

#include <clocale>
#include <string>

#include "cli/ftpchat/chat/input_view.hpp"
#include "cli/ftpchat/chat/text_cells.hpp"
#include "cli/ftpchat/chat/wrap.hpp"

namespace ftpchat::chat {
namespace {

// wcwidth answers for UTF-8 only under a UTF-8 locale, as the client sets from the user's.
class Utf8Locale : public ::testing::Test {
 protected:
  void SetUp() override {
    old_ = std::setlocale(LC_CTYPE, nullptr);
    ASSERT_NE(std::setlocale(LC_CTYPE, "C.UTF-8"), nullptr) << "no C.UTF-8 locale";
  }
  void TearDown() override { std::setlocale(LC_CTYPE, old_.c_str()); }

 private:
  std::string old_;
};

std::vector<std::string> pieces(std::string_view text, const std::vector<Row>& rows) {
  std::vector<std::string> out;
  for (const Row& r : rows)
    out.push_back(std::string(r.indent, ' ') + std::string(text.substr(r.begin, r.end - r.begin)));
  return out;
}

using ChatText = Utf8Locale;

TEST_F(ChatText, CellWidths) {
  EXPECT_EQ(display_width("hello"), 5);
  EXPECT_EQ(display_width("h\xC3\xA9llo"), 5);               // é: one cell, two bytes
  EXPECT_EQ(display_width("\xE6\x97\xA5\xE6\x9C\xAC"), 4);   // 日本: two cells each
  EXPECT_EQ(display_width("e\xCC\x81"), 1);                  // e + combining acute
  EXPECT_EQ(display_width("\xF0\x9F\x98\x80"), 2);           // 😀
  EXPECT_EQ(display_width("\xFF"), 1);                       // an invalid byte: one cell
  EXPECT_EQ(fit_prefix("\xE6\x97\xA5\xE6\x9C\xAC", 3), 3u);  // never half a wide char
  EXPECT_EQ(to_utf8(from_utf8("h\xC3\xA9 \xF0\x9F\x98\x80")), "h\xC3\xA9 \xF0\x9F\x98\x80");
}

TEST_F(ChatText, ShortLineIsOneRow) {
  const auto rows = wrap_line("2026-11-27 10:59:43 <alice> hi", 80, 28);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].begin, 0u);
  EXPECT_EQ(rows[0].end, 30u);
  EXPECT_EQ(wrap_line("", 10, 0).size(), 1u);
}

TEST_F(ChatText, LongLineWrapsAtSpacesIndentedUnderTheText) {
  const std::string line = "12:00 <bob> the quick brown fox jumps over the lazy dog";
  const auto rows = wrap_line(line, 24, 12);
  EXPECT_EQ(pieces(line, rows),
            (std::vector<std::string>{"12:00 <bob> the quick ", "            brown fox ",
                                      "            jumps over ", "            the lazy dog"}));
  for (const std::string& p : pieces(line, rows)) EXPECT_LE(display_width(p), 24) << p;
}

TEST_F(ChatText, WordLongerThanARowIsCut) {
  const std::string line = "<a> " + std::string(30, 'x');
  const auto rows = wrap_line(line, 10, 4);
  // The long word starts on a row of its own, then is cut at the row's width.
  EXPECT_EQ(pieces(line, rows),
            (std::vector<std::string>{"<a> ", "    xxxxxx", "    xxxxxx", "    xxxxxx",
                                      "    xxxxxx", "    xxxxxx"}));
  // Without any space it is cut from the first row on; no byte is lost.
  const std::string word(25, 'y');
  const auto cut = wrap_line(word, 10, 0);
  std::size_t covered = 0;
  for (const Row& r : cut) covered += r.end - r.begin;
  EXPECT_EQ(cut.size(), 3u);
  EXPECT_EQ(covered, word.size());
}

TEST_F(ChatText, WideCharactersAreNeverSplit) {
  std::string line;
  for (int i = 0; i < 9; ++i) line += "\xE6\x97\xA5";  // 日 x 9 = 18 cells
  const auto rows = wrap_line(line, 5, 0);
  ASSERT_EQ(rows.size(), 5u);  // 2 per row (4 cells; a third would need 6)
  for (const Row& r : rows) {
    EXPECT_EQ((r.end - r.begin) % 3, 0u);
    EXPECT_LE(display_width(std::string_view(line).substr(r.begin, r.end - r.begin)), 5);
  }
}

TEST_F(ChatText, NarrowScreenGivesUpTheIndent) {
  const std::string line = "2026-11-27 10:59:43 <alice> one two three four";
  const auto rows = wrap_line(line, 30, 28);  // indent 28 would leave 2 cells
  for (std::size_t i = 1; i < rows.size(); ++i) EXPECT_EQ(rows[i].indent, 2);
}

TEST_F(ChatText, InputShowsEverythingWhileItFits) {
  InputView view;
  const InputWindow w = view.fit(L"hello", 5, 20);
  EXPECT_EQ(w.first, 0u);
  EXPECT_EQ(w.last, 5u);
  EXPECT_EQ(w.cursor_column, 5);
}

TEST_F(ChatText, InputScrollsToKeepTheCursorVisible) {
  InputView view;
  const std::wstring text(50, L'a');
  InputWindow w = view.fit(text, 50, 20);  // typing at the end
  EXPECT_GT(w.first, 0u);
  EXPECT_EQ(w.last, 50u);
  EXPECT_LE(w.cursor_column, 19);
  EXPECT_EQ(static_cast<std::size_t>(w.cursor_column), 50 - w.first);
  // Home: the window goes back to the start.
  w = view.fit(text, 0, 20);
  EXPECT_EQ(w.first, 0u);
  EXPECT_EQ(w.cursor_column, 0);
  // Moving right inside the window does not scroll.
  w = view.fit(text, 10, 20);
  EXPECT_EQ(w.first, 0u);
  EXPECT_EQ(w.cursor_column, 10);
  // Past the right edge it jumps by about a third, not one character at a time.
  w = view.fit(text, 20, 20);
  EXPECT_GE(w.first, 5u);
  EXPECT_EQ(w.cursor_column, static_cast<int>(20 - w.first));
  const std::size_t first = w.first;
  w = view.fit(text, 21, 20);
  EXPECT_EQ(w.first, first);
}

TEST_F(ChatText, InputCountsWideCharactersAsTwoCells) {
  InputView view;
  const std::wstring text = L"\u65e5\u672c\u8a9e\u65e5\u672c\u8a9e";  // 12 cells
  InputWindow w = view.fit(text, 6, 8);
  EXPECT_LE(w.cursor_column, 7);
  EXPECT_EQ(w.cursor_column, 2 * static_cast<int>(6 - w.first));
  EXPECT_LE(display_width(std::wstring_view(text).substr(w.first, w.last - w.first)), 8);
  // Deleting back to a short text shows it all again.
  w = view.fit(L"\u65e5", 1, 8);
  EXPECT_EQ(w.first, 0u);
  EXPECT_EQ(w.cursor_column, 2);
}

}  // namespace
}  // namespace ftpchat::chat
