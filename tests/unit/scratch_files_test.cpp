// ScratchFiles: the in-memory store behind editors' swap and backup files in a room folder.
#include "../../src/fuse/scratch_files.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>

namespace ftpchat {
namespace {

std::string read_all(const ScratchFiles& s, const std::string& key) {
  char buf[64] = {};
  const long n = s.read(key, buf, sizeof buf, 0);
  return n < 0 ? "<" + std::to_string(n) + ">" : std::string(buf, static_cast<std::size_t>(n));
}

TEST(ScratchFiles, WriteReadTruncateAtOffsets) {
  ScratchFiles s;
  ASSERT_EQ(s.create("r/.outbox.swp", 0600, true), 0);
  EXPECT_EQ(s.create("r/.outbox.swp", 0600, true), -EEXIST);
  EXPECT_EQ(s.create("r/.outbox.swp", 0600, false), 0);
  EXPECT_EQ(s.write("r/.outbox.swp", "abc", 3, 2), 3);  // a hole of zero bytes first
  EXPECT_EQ(read_all(s, "r/.outbox.swp"), std::string("\0\0abc", 5));
  EXPECT_EQ(s.truncate("r/.outbox.swp", 3), 0);
  EXPECT_EQ(read_all(s, "r/.outbox.swp"), std::string("\0\0a", 3));
  EXPECT_EQ(s.stat("r/.outbox.swp")->size, 3u);
  EXPECT_EQ(s.chmod("r/.outbox.swp", 0644), 0);
  EXPECT_EQ(s.stat("r/.outbox.swp")->mode, 0644u);
  EXPECT_EQ(s.read("r/none", nullptr, 0, 0), -ENOENT);
  EXPECT_EQ(s.write("r/none", "x", 1, 0), -ENOENT);
}

TEST(ScratchFiles, ListsPerRoomAndRenames) {
  ScratchFiles s;
  s.create("r/a~", 0600, true);
  s.create("r/b", 0600, true);
  s.create("r2/c", 0600, true);
  s.create("rr/d", 0600, true);
  EXPECT_EQ(s.list("r"), (std::vector<std::string>{"a~", "b"}));
  s.write("r/a~", "new", 3, 0);
  s.write("r/b", "old!", 4, 0);
  EXPECT_EQ(s.rename("r/a~", "r/b"), 0);  // replaces
  EXPECT_EQ(s.list("r"), (std::vector<std::string>{"b"}));
  EXPECT_EQ(read_all(s, "r/b"), "new");
  EXPECT_EQ(s.take("r/b"), std::optional<std::string>("new"));
  EXPECT_FALSE(s.stat("r/b"));
  EXPECT_EQ(s.unlink("r/b"), -ENOENT);
}

TEST(ScratchFiles, TotalSizeIsBoundedAndFreedOnRemoval) {
  ScratchFiles s(10);
  s.create("r/x", 0600, true);
  s.create("r/y", 0600, true);
  EXPECT_EQ(s.write("r/x", "123456", 6, 0), 6);
  EXPECT_EQ(s.write("r/y", "12345", 5, 0), -ENOSPC);
  EXPECT_EQ(s.truncate("r/y", 5), -ENOSPC);
  EXPECT_EQ(s.write("r/y", "1234", 4, 0), 4);
  EXPECT_EQ(s.write("r/x", "abc", 3, 0), 3);  // overwriting inside the file costs nothing
  EXPECT_EQ(s.unlink("r/x"), 0);
  EXPECT_EQ(s.write("r/y", "123456", 6, 4), 6);
  EXPECT_EQ(s.rename("r/y", "r/z"), 0);
  ASSERT_TRUE(s.take("r/z"));
  EXPECT_EQ(s.create("r/w", 0600, true), 0);
  EXPECT_EQ(s.write("r/w", "0123456789", 10, 0), 10);
}

}  // namespace
}  // namespace ftpchat
