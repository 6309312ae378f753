// JSON lines of ROOM/log.jsonl: valid JSON for any bytes, RFC 3339 UTC times.
#include "ftpchat/record/render_json.hpp"

#include <gtest/gtest.h>

using namespace std::string_literals;

namespace ftpchat {
namespace {

TEST(RenderJson, EscapesQuotesControlsAndInvalidUtf8) {
  EXPECT_EQ(json_string("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(json_string("l1\nl2\tx\r"), R"("l1\nl2\tx\r")");
  EXPECT_EQ(json_string("\x1b[2J\x7f"), R"("\u001b[2J\u007f")");
  EXPECT_EQ(json_string("caf\xc3\xa9 \xe2\x98\x95"), "\"caf\xc3\xa9 \xe2\x98\x95\"");
  EXPECT_EQ(json_string("\xff\xc3"), R"("\ufffd\ufffd")");
  EXPECT_EQ(json_string("\xe2\x80\xae"), R"("\u202e")");   // bidi override
  EXPECT_EQ(json_string("\xe2\x80\xa8"), R"("\u2028")");   // line separator
  EXPECT_EQ(json_string("\xc2\x9b"), R"("\u009b")");       // C1 CSI
  EXPECT_EQ(json_string("\0"s), R"("\u0000")");
}

TEST(RenderJson, OneObjectPerLine) {
  Message m;
  m.id.fill(0xab);
  m.stamp = std::uint64_t{1795777183120} << 16;  // 2026-11-27T10:59:43.120Z
  m.nick = "al\"ice";
  m.body = "hi\nthere";
  EXPECT_EQ(render_json(m),
            "{\"id\":\"abababababababababababababababab\",\"time\":\"2026-11-27T10:59:43.120Z\","
            "\"from\":\"al\\\"ice\",\"text\":\"hi\\nthere\"}\n");
}

}  // namespace
}  // namespace ftpchat
