// Hostile or broken data on the server, at the engine level (docs/FORMAT.md, "Reading"):
// each case is detected, counted, noticed once in the log where a reader should know, and
// skipped; the log already shown never shrinks or changes; the room keeps working.
#include <gtest/gtest.h>

#include "engine_client.hpp"
#include "ftpchat/room/room_layout.hpp"

namespace ftpchat {
namespace {

using testing::count_of;
using testing::EngineClient;
using testing::MemoryTransport;

class HostileDataTest : public testing::TwoClientTest {
 protected:
  HostileDataTest() : TwoClientTest("ftpchat-hostile-test") {}
  void send(const std::string& body) { ASSERT_TRUE(alice_->room("r")->send({body})); }
  std::string& alice_file() {
    for (auto& [path, data] : server_.files)
      if (path.ends_with(".w") && path.find(writer_hex()) != std::string::npos) return data;
    return server_.files["missing"];
  }
  std::string writer_hex() { return alice_->room("r")->counters().writer; }
  std::vector<std::string> lines_of(const std::string& file) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (auto nl = file.find('\n'); nl != std::string::npos; nl = file.find('\n', start)) {
      if (nl > start) out.push_back(file.substr(start, nl - start));
      start = nl + 1;
    }
    return out;
  }
};

TEST_F(HostileDataTest, AFlippedByteIsRejectedWithOneNotice) {
  send("one");
  send("two");
  std::string& file = alice_file();
  file[file.find('\n', 1) - 5] ^= 0x01;  // inside record one
  send("three");
  const std::string log = bob_->text("r");
  EXPECT_EQ(log.find("<alice> one"), std::string::npos);
  EXPECT_NE(log.find("<alice> two"), std::string::npos);
  EXPECT_NE(log.find("<alice> three"), std::string::npos);
  EXPECT_EQ(count_of(log, "-!- 1 record(s) from writer " + writer_hex().substr(0, 8) +
                              " failed to decode or authenticate"),
            1u)
      << log;
  EXPECT_EQ(bob_->room("r")->counters().rejected, 1u);
  // Record one's seq never arrives: it is also a gap.
  EXPECT_NE(log.find("-!- 1 message(s) from a writer are missing"), std::string::npos) << log;
  EXPECT_EQ(bob_->room("r")->counters().notices, 2u);
  EXPECT_NE(bob_->room("r")->status_text().find("records rejected: 1\n"), std::string::npos);
}

TEST_F(HostileDataTest, ATornRecordDoesNotHideTheRecordsAfterIt) {
  send("one");
  std::string& file = alice_file();
  const std::string copy = file;
  file += copy.substr(0, copy.size() / 2);  // an append cut off mid-way
  send("two");                              // "\n" + record closes the torn line
  const std::string log = bob_->text("r");
  EXPECT_NE(log.find("<alice> one"), std::string::npos);
  EXPECT_NE(log.find("<alice> two"), std::string::npos);
  EXPECT_EQ(bob_->room("r")->counters().rejected, 1u);
}

TEST_F(HostileDataTest, GarbageLinesAndEmptyFilesAreHarmless) {
  send("one");
  server_.files[folder() + "/" + std::string(32, 'b') + ".w"] = "";  // empty writer file
  server_.files[folder() + "/" + std::string(32, 'c') + ".w"] =
      "\n\nnot base64 at all!\n\x01\x02\n";
  server_.files[folder() + "/notes.txt"] = "ignored";
  send("two");
  auto room = bob_->room("r");
  ASSERT_TRUE(room->sync());
  const std::string log = room->read_log(0, 1 << 20);
  EXPECT_NE(log.find("<alice> two"), std::string::npos);
  EXPECT_EQ(room->counters().rejected, 2u);
  EXPECT_EQ(room->counters().last_error(), "");
}

TEST_F(HostileDataTest, AReplayedRecordIsADuplicateNotASecondMessage) {
  send("pay alice 10 euros");
  std::string& file = alice_file();
  const std::string first = lines_of(file)[0];
  send("later");
  file += "\n" + first + "\n";  // replayed by the server
  const std::string log = bob_->text("r");
  EXPECT_EQ(count_of(log, "pay alice 10 euros"), 1u);
  EXPECT_EQ(bob_->room("r")->counters().duplicates, 1u);
}

TEST_F(HostileDataTest, ARecordMovedIntoAnotherWritersFileOrRoomIsRejected) {
  send("mine");
  const std::string record = lines_of(alice_file())[0];
  ASSERT_TRUE(bob_->room("r")->send({"bob's own"}));
  for (auto& [path, data] : server_.files)
    if (path.ends_with(".w") && path.find(writer_hex()) == std::string::npos)
      data += "\n" + record + "\n";
  ASSERT_TRUE(alice_->engine->create_room("other"));
  const std::string other = alice_->room("other")->folder();
  server_.files[other + "/" + std::string(32, 'd') + ".w"] = "\n" + record + "\n";
  server_.files[other + "/" + writer_hex() + ".w"] = "\n" + record + "\n";  // same writer id
  EXPECT_EQ(count_of(alice_->text("r"), "<alice> mine"), 1u);
  EXPECT_EQ(alice_->room("r")->counters().rejected, 1u);
  EXPECT_EQ(alice_->text("other").find("mine"), std::string::npos);
  EXPECT_EQ(alice_->room("other")->counters().rejected, 2u);
}

TEST_F(HostileDataTest, AGapInAWritersSequenceIsNoticed) {
  send("one");
  send("two");
  send("three");
  std::string& file = alice_file();
  auto lines = lines_of(file);
  ASSERT_EQ(lines.size(), 3u);
  file = "\n" + lines[0] + "\n\n" + lines[2] + "\n";  // record two deleted
  const std::string log = bob_->text("r");
  EXPECT_EQ(log.find("<alice> two"), std::string::npos);
  EXPECT_NE(log.find("<alice> three"), std::string::npos);
  EXPECT_NE(log.find("-!- 1 message(s) from a writer are missing"), std::string::npos) << log;
  EXPECT_EQ(bob_->room("r")->counters().missing, 1u);
}

TEST_F(HostileDataTest, AReplacedHeaderIsRefusedAndTheRoomTurnsReadOnly) {
  send("before");
  auto room = bob_->room("r");
  ASSERT_TRUE(room->sync());
  const std::string seen = room->read_log(0, 1 << 20);
  // Another header (another passphrase's room) put in its place.
  MemoryTransport elsewhere;
  EngineClient mallory(elsewhere, "mallory", state_ / "m", "mallory's passphrase");
  ASSERT_TRUE(mallory.engine->start());
  ASSERT_TRUE(mallory.engine->create_room("a longer name"));  // (same size: see below)
  for (const auto& [path, data] : elsewhere.files)
    if (path.ends_with("/header")) server_.files[folder() + "/header"] = data;
  // The room folder (with the header) is listed in full syncs, at least once a minute.
  alice_->clock.ms += 61'000;
  bob_->clock.ms += 61'000;
  send("after");  // alice's mount also notices, at its sync: it cannot send any more
  EXPECT_FALSE(room->sync());
  const std::string now = room->read_log(0, 1 << 20);
  ASSERT_EQ(now.substr(0, seen.size()), seen);  // what was shown stays
  EXPECT_NE(now.find("-!- the room header was replaced on the server"), std::string::npos) << now;
  EXPECT_EQ(now.find("<alice> after"), std::string::npos);
  EXPECT_NE(room->status_text().find("state: read-only: the room header was replaced"),
            std::string::npos);
  auto refused = room->enqueue({"into a hijacked room"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::permission);
  EXPECT_FALSE(room->sync());
  EXPECT_EQ(count_of(room->read_log(0, 1 << 20), "-!-"), 1u);  // noticed once
}

TEST_F(HostileDataTest, AHeaderRewrittenWithTheSameSizeIsFoundByTheByteCheck) {
  auto room = bob_->room("r");
  ASSERT_TRUE(room->sync());
  std::string& header = server_.files[folder() + "/header"];
  header[header.size() - 3] = header[header.size() - 3] == 'A' ? 'B' : 'A';
  bool refused = false;
  for (int i = 0; i < 40 && !refused; ++i) refused = !room->sync();
  EXPECT_TRUE(refused);
  EXPECT_NE(room->counters().read_only_reason, "");
}

TEST_F(HostileDataTest, RoomsWithAMissingOrTruncatedHeaderAreListedButUnreadable) {
  send("one");
  ASSERT_TRUE(alice_->engine->create_room("second"));
  ASSERT_TRUE(alice_->room("second")->send({"two"}));
  const std::string first = folder(), second = alice_->room("second")->folder();
  server_.files.erase(first + "/header");
  server_.files[second + "/header"].resize(40);
  server_.dirs.insert(std::string(32, 'e'));  // a room being created: no header yet, no files
  EngineClient carol(server_, "carol", state_ / "c");
  ASSERT_TRUE(carol.engine->start());  // not fatal to the mount
  ASSERT_TRUE(carol.engine->create_room("third"));
  auto rooms = carol.engine->rooms(std::chrono::milliseconds(0));
  ASSERT_EQ(rooms.size(), 3u);
  std::map<std::string, std::string> reasons;
  for (const auto& entry : rooms) reasons[entry.name] = entry.room ? "" : entry.unreadable_reason;
  EXPECT_NE(reasons[first].find("header of room " + first + " is missing"), std::string::npos);
  EXPECT_NE(reasons[second].find("truncated"), std::string::npos) << reasons[second];
  EXPECT_EQ(reasons["third"], "");
}

// A folder-sync tool can bring a room's writer files before its header (Syncthing creates the
// folders of a pull before its files): that room is unreadable only until the header is there.
TEST_F(HostileDataTest, ARoomWhoseHeaderArrivesAfterItsWriterFilesOpensOnceItIsThere) {
  send("one");
  const std::string path = folder() + "/header";
  const std::string header = server_.files[path];
  server_.files.erase(path);
  EngineClient carol(server_, "carol", state_ / "c");
  ASSERT_TRUE(carol.engine->start());
  for (int i = 0; i < 2; ++i) {  // still missing at the next refresh
    auto rooms = carol.engine->rooms(std::chrono::milliseconds(0));
    ASSERT_EQ(rooms.size(), 1u);
    EXPECT_EQ(rooms[0].room, nullptr);
    EXPECT_NE(rooms[0].unreadable_reason.find("is missing"), std::string::npos);
  }
  server_.files[path] = header;
  ASSERT_NE(carol.room("r"), nullptr);
  EXPECT_NE(carol.text("r").find("<alice> one"), std::string::npos);
}

TEST_F(HostileDataTest, AWriterFileCutShortIsFrozenAndTheLogKeepsWhatWasShown) {
  send("one");
  send("two");
  auto room = bob_->room("r");
  ASSERT_TRUE(room->sync());
  const std::string seen = room->read_log(0, 1 << 20);
  std::string& file = alice_file();
  file.resize(file.size() / 3);
  ASSERT_TRUE(room->sync());
  std::string now = room->read_log(0, 1 << 20);
  ASSERT_EQ(now.substr(0, seen.size()), seen);
  EXPECT_NE(now.find("shrank on the server"), std::string::npos) << now;
  send("three");  // the file grows again: still ignored
  ASSERT_TRUE(room->sync());
  now = room->read_log(0, 1 << 20);
  EXPECT_EQ(now.find("<alice> three"), std::string::npos);
  EXPECT_EQ(count_of(now, "-!-"), 1u);
}

TEST_F(HostileDataTest, AWriterFileRewrittenWithAnotherPrefixIsDetected) {
  send("one");
  auto room = bob_->room("r");
  ASSERT_TRUE(room->sync());
  const std::string seen = room->read_log(0, 1 << 20);
  std::string& file = alice_file();
  file[file.size() - 10] ^= 0x02;  // bytes already read change...
  send("two");                     // ...and the file grows
  ASSERT_TRUE(room->sync());
  const std::string now = room->read_log(0, 1 << 20);
  ASSERT_EQ(now.substr(0, seen.size()), seen);
  EXPECT_NE(now.find("was rewritten on the server"), std::string::npos) << now;
  EXPECT_EQ(now.find("<alice> two"), std::string::npos);
  // Other writers keep working.
  ASSERT_TRUE(bob_->room("r")->send({"still here"}));
  EXPECT_NE(alice_->text("r").find("<bob> still here"), std::string::npos);
}

}  // namespace
}  // namespace ftpchat
