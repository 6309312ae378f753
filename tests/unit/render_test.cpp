// ROOM/log rendering: timestamps in the local zone and escaping of untrusted text.
#include "ftpchat/record/render.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

namespace ftpchat {
namespace {

class Render : public ::testing::Test {
 protected:
  void SetUp() override { set_tz("UTC"); }
  void TearDown() override { set_tz("UTC"); }
  static void set_tz(const char* tz) {
    ::setenv("TZ", tz, 1);
    ::tzset();
  }
};

Message message(std::int64_t unix_ms, std::string nick, std::string body) {
  Message m;
  m.stamp = (static_cast<std::uint64_t>(unix_ms) << 16) | 42;  // logical counter ignored
  m.nick = std::move(nick);
  m.body = std::move(body);
  return m;
}

constexpr std::int64_t kSample = 1764241183123;  // 2025-11-27 10:59:43.123 UTC

TEST_F(Render, MessageLine) {
  EXPECT_EQ(render_message(message(kSample, "alice", "hello everyone")),
            "2025-11-27 10:59:43 <alice> hello everyone\n");
}

TEST_F(Render, UsesLocalTimeZone) {
  set_tz("JST-9");  // POSIX rule, no tzdata needed
  EXPECT_EQ(render_message(message(kSample, "a", "b")), "2025-11-27 19:59:43 <a> b\n");
}

TEST_F(Render, NoticeLine) {
  EXPECT_EQ(render_notice(0, "alice joined"), "1970-01-01 00:00:00 -!- alice joined\n");
  EXPECT_EQ(render_notice(-1, "x"), "1969-12-31 23:59:59 -!- x\n");
  EXPECT_EQ(render_notice(kSample, "evil\x1b]0;title\a"),
            "2025-11-27 10:59:43 -!- evil^[]0;title^G\n");
}

TEST_F(Render, NickAndBodyAreEscapedSoEachMessageIsOneLine) {
  EXPECT_EQ(render_message(message(kSample, "ev\x1b[1mil", "line1\nline2\r\x1b[2J")),
            "2025-11-27 10:59:43 <ev^[[1mil> line1^Jline2^M^[[2J\n");
}

TEST(EscapeText, C0ControlsAndDelUseCaretNotation) {
  EXPECT_EQ(escape_text(std::string("\0", 1)), "^@");
  EXPECT_EQ(escape_text("\x01\x1a\x1b\x1c\x1f"), "^A^Z^[^\\^_");
  EXPECT_EQ(escape_text("a\nb\rc"), "a^Jb^Mc");
  EXPECT_EQ(escape_text("\x7f"), "^?");
  EXPECT_EQ(escape_text("\x1b[31mred\x1b[0m"), "^[[31mred^[[0m");
}

TEST(EscapeText, PrintableAsciiTabAndBackslashUnchanged) {
  std::string ascii = "\t";
  for (char c = 0x20; c < 0x7f; ++c) ascii += c;
  EXPECT_EQ(escape_text(ascii), ascii);
  EXPECT_EQ(escape_text("C:\\x41 \\u{202E}"), "C:\\x41 \\u{202E}");
}

TEST(EscapeText, C1ControlsAndBidiControlsAsCodePoints) {
  EXPECT_EQ(escape_text("\xc2\x80"), "\\u{0080}");
  EXPECT_EQ(escape_text("\xc2\x9b"
                        "2J"),
            "\\u{009B}2J");  // CSI
  EXPECT_EQ(escape_text("\xc2\x9f"), "\\u{009F}");
  EXPECT_EQ(escape_text("\xc2\xa0"), "\xc2\xa0");  // NBSP is not a control
  EXPECT_EQ(escape_text("abc\xe2\x80\xae"
                        "cba"),
            "abc\\u{202E}cba");  // RLO
  EXPECT_EQ(escape_text("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad"),
            "\\u{202A}\\u{202B}\\u{202C}\\u{202D}");
  EXPECT_EQ(escape_text("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9"),
            "\\u{2066}\\u{2067}\\u{2068}\\u{2069}");
  EXPECT_EQ(escape_text("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c"), "\\u{200E}\\u{200F}\\u{061C}");
  EXPECT_EQ(escape_text("\xe2\x80\xaf\xe2\x81\xaa"), "\xe2\x80\xaf\xe2\x81\xaa");  // neighbours
}

TEST(EscapeText, ValidMultibyteUtf8Unchanged) {
  for (const std::string& s :
       std::vector<std::string>{"é", "zoë", "日本語", "☕", "😀", "\xf4\x8f\xbf\xbf", "\xef\xbf\xbd",
                                "\xed\x9f\xbf", "\xee\x80\x80", "héllo wörld ✓ 日本語 😀"})
    EXPECT_EQ(escape_text(s), s);
}

TEST(EscapeText, InvalidUtf8BytesAsHex) {
  EXPECT_EQ(escape_text("\xff"), "\\xFF");
  EXPECT_EQ(escape_text("\x80"), "\\x80");                             // stray continuation
  EXPECT_EQ(escape_text("\xc0\xaf"), "\\xC0\\xAF");                    // overlong '/'
  EXPECT_EQ(escape_text("\xc1\xbf"), "\\xC1\\xBF");                    // overlong
  EXPECT_EQ(escape_text("\xe0\x80\xaf"), "\\xE0\\x80\\xAF");           // overlong 3-byte
  EXPECT_EQ(escape_text("\xf0\x80\x80\xaf"), "\\xF0\\x80\\x80\\xAF");  // overlong 4-byte
  EXPECT_EQ(escape_text("\xed\xa0\x80"), "\\xED\\xA0\\x80");           // surrogate U+D800
  EXPECT_EQ(escape_text("\xf4\x90\x80\x80"), "\\xF4\\x90\\x80\\x80");  // U+110000
  EXPECT_EQ(escape_text("\xf5\x80\x80\x80"), "\\xF5\\x80\\x80\\x80");
  EXPECT_EQ(escape_text("\xe2\x82"
                        "A"),
            "\\xE2\\x82A");                                       // truncated, then ASCII
  EXPECT_EQ(escape_text("ok\xe2\x82"), "ok\\xE2\\x82");           // truncated at the end
  EXPECT_EQ(escape_text("\xe2\x82\xe2\x82\xac"), "\\xE2\\x82€");  // resyncs on a valid one
  EXPECT_EQ(escape_text("\xc3\x1b"), "\\xC3^[");                  // control inside a sequence
}

// Whatever the input, nothing that acts on a terminal survives: checked on every 1- and
// 2-byte string and on the 3-byte strings that start like C1 or bidi controls.
TEST(EscapeText, OutputIsAlwaysHarmless) {
  const std::vector<std::string> bidi = {"\xe2\x80\xaa", "\xe2\x80\xab", "\xe2\x80\xac",
                                         "\xe2\x80\xad", "\xe2\x80\xae", "\xe2\x81\xa6",
                                         "\xe2\x81\xa7", "\xe2\x81\xa8", "\xe2\x81\xa9",
                                         "\xe2\x80\x8e", "\xe2\x80\x8f", "\xd8\x9c"};
  auto harmless = [&](const std::string& out) {
    for (std::size_t i = 0; i < out.size(); ++i) {
      const auto b = static_cast<unsigned char>(out[i]);
      if ((b < 0x20 && b != '\t') || b == 0x7f) return false;
      if (b == 0xc2 && i + 1 < out.size() && static_cast<unsigned char>(out[i + 1]) < 0xa0)
        return false;
      for (const auto& control : bidi)
        if (out.compare(i, control.size(), control) == 0) return false;
    }
    // Escaped text is clean, valid UTF-8, so escaping it again changes nothing.
    return escape_text(out) == out;
  };
  for (int a = 0; a < 256; ++a) {
    std::string one(1, static_cast<char>(a));
    ASSERT_TRUE(harmless(escape_text(one))) << a;
    for (int b = 0; b < 256; ++b) {
      std::string two = one + static_cast<char>(b);
      ASSERT_TRUE(harmless(escape_text(two))) << a << "," << b;
    }
  }
  for (int lead : {0xe2, 0xd8})
    for (int b = 0x80; b < 0xc0; ++b)
      for (int c = 0x80; c < 0xc0; ++c) {
        const std::string s{static_cast<char>(lead), static_cast<char>(b), static_cast<char>(c)};
        ASSERT_TRUE(harmless(escape_text(s))) << lead << "," << b << "," << c;
      }
}

}  // namespace
}  // namespace ftpchat
