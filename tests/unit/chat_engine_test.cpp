// ChatEngine and Room against an in-memory server: rooms, sending, receiving, ordering,
// damaged data, passphrases and writer ids.
#include "ftpchat/room/chat_engine.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "engine_client.hpp"

namespace ftpchat {
namespace {

using testing::MemoryTransport;

// The shared engine test client, with a sync that must succeed before each read.
struct Client : testing::EngineClient {
  Client(MemoryTransport& server, const std::string& nick, const std::string& pass,
         const std::filesystem::path& state)
      : EngineClient(server, nick, state, pass) {}
  std::string text(const std::string& name) {
    auto r = room(name);
    EXPECT_TRUE(r->sync());
    return r->read_log(0, 1 << 20);
  }
};

class ChatEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    state_ = std::filesystem::temp_directory_path() /
             ("ftpchat-engine-test-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(state_);
  }
  void TearDown() override { std::filesystem::remove_all(state_); }
  std::filesystem::path state(const std::string& who) { return state_ / who; }

  MemoryTransport server_;
  std::filesystem::path state_;
};

TEST_F(ChatEngineTest, MessagesSentByOneClientAppearInAnothersLog) {
  Client alice(server_, "alice", "pw", state("a")), bob(server_, "bob", "pw", state("b"));
  ASSERT_TRUE(alice.engine->start());
  ASSERT_TRUE(alice.engine->create_room("general"));
  ASSERT_TRUE(bob.engine->start());
  ASSERT_TRUE(alice.room("general")->send({"hello everyone"}));
  ASSERT_TRUE(bob.room("general")->send({"hi alice"}));
  EXPECT_EQ(bob.text("general"),
            "2026-11-18 11:06:40 <alice> hello everyone\n2026-11-18 11:06:40 <bob> hi alice\n");
  EXPECT_EQ(alice.text("general"), bob.text("general"));
}

TEST_F(ChatEngineTest, NothingOnTheServerIsPlaintext) {
  Client alice(server_, "alice-nick", "pw", state("a"));
  ASSERT_TRUE(alice.engine->start());
  ASSERT_TRUE(alice.engine->create_room("secret-room"));
  ASSERT_TRUE(alice.room("secret-room")->send({"attack at dawn"}));
  for (const auto& [path, data] : server_.files) {
    for (const char* clear : {"secret-room", "alice-nick", "attack at dawn"}) {
      EXPECT_EQ(path.find(clear), std::string::npos) << path;
      EXPECT_EQ(data.find(clear), std::string::npos) << path;
    }
  }
}

TEST_F(ChatEngineTest, CreatingAnExistingRoomFailsWithExists) {
  Client alice(server_, "alice", "pw", state("a")), bob(server_, "bob", "pw", state("b"));
  ASSERT_TRUE(alice.engine->start());
  ASSERT_TRUE(alice.engine->create_room("general"));
  ASSERT_TRUE(bob.engine->start());
  auto again = bob.engine->create_room("general");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::exists);
}

TEST_F(ChatEngineTest, WrongPassphraseFailsStartAndOtherPassphrasesRoomsAreUnreadable) {
  Client alice(server_, "alice", "right", state("a"));
  ASSERT_TRUE(alice.engine->start());
  ASSERT_TRUE(alice.engine->create_room("general"));
  const auto files_before = server_.files;

  Client mallory(server_, "mallory", "wrong", state("m"));
  auto started = mallory.engine->start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, Errc::wrong_passphrase);
  EXPECT_EQ(server_.files, files_before);  // nothing written

  // Carol has rooms of her own: she mounts, and sees alice's room listed but unreadable.
  Client carol(server_, "carol", "wrong", state("c"));
  ASSERT_FALSE(carol.engine->start());
  ASSERT_TRUE(carol.engine->create_room("carols"));
  auto rooms = carol.engine->rooms(std::chrono::milliseconds(0));
  ASSERT_EQ(rooms.size(), 2u);
  int readable = 0;
  for (const auto& entry : rooms) readable += entry.room != nullptr;
  EXPECT_EQ(readable, 1);
  Client dave(server_, "dave", "wrong", state("d"));
  EXPECT_TRUE(dave.engine->start());
}

TEST_F(ChatEngineTest, EachSendersOrderIsKeptAndEveryMessageArrivesOnce) {
  Client alice(server_, "alice", "pw", state("a")), bob(server_, "bob", "pw", state("b"));
  ASSERT_TRUE(alice.engine->start());
  ASSERT_TRUE(alice.engine->create_room("r"));
  ASSERT_TRUE(bob.engine->start());
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(alice.room("r")->send({"a" + std::to_string(i)}));
    ASSERT_TRUE(bob.room("r")->send({"b" + std::to_string(i), "b" + std::to_string(i) + "x"}));
    if (i % 7 == 0) {
      ASSERT_TRUE(alice.room("r")->sync());
    }
  }
  Client carol(server_, "carol", "pw", state("c"));
  ASSERT_TRUE(carol.engine->start());
  for (Client* c : {&alice, &bob, &carol}) {
    const std::string log = c->text("r");
    std::size_t last_a = 0, last_b = 0;
    for (int i = 0; i < 50; ++i) {
      const std::string a = "<alice> a" + std::to_string(i) + "\n";
      const std::string b = "<bob> b" + std::to_string(i) + "\n";
      auto pa = log.find(a), pb = log.find(b);
      ASSERT_NE(pa, std::string::npos) << a;
      ASSERT_NE(pb, std::string::npos) << b;
      EXPECT_EQ(log.find(a, pa + 1), std::string::npos) << "twice: " << a;
      EXPECT_GE(pa, last_a);
      EXPECT_GE(pb, last_b);
      last_a = pa;
      last_b = pb;
    }
    EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 150);
  }
}

TEST_F(ChatEngineTest, DamagedAndTornRecordsAreSkippedAndCounted) {
  Client alice(server_, "alice", "pw", state("a")), bob(server_, "bob", "pw", state("b"));
  ASSERT_TRUE(alice.engine->start());
  ASSERT_TRUE(alice.engine->create_room("r"));
  ASSERT_TRUE(alice.room("r")->send({"one"}));
  std::string* file = nullptr;
  for (auto& [path, data] : server_.files)
    if (path.ends_with(".w")) file = &data;
  ASSERT_NE(file, nullptr);
  const std::string good = *file;
  (*file)[good.size() / 2] ^= 0x01;               // flip a byte in record one
  *file += good.substr(0, good.size() / 2);       // a torn copy
  ASSERT_TRUE(alice.room("r")->send({"two"}));    // appends "\n" + record
  *file += "\ngarbage line\n";
  ASSERT_TRUE(bob.engine->start());
  const std::string log = bob.text("r");
  EXPECT_EQ(log.find("<alice> one"), std::string::npos);
  EXPECT_NE(log.find("<alice> two"), std::string::npos);
  EXPECT_EQ(bob.room("r")->counters().rejected, 3u);
}

TEST_F(ChatEngineTest, RetriedAppendThatLandedIsNotShownTwice) {
  Client alice(server_, "alice", "pw", state("a")), bob(server_, "bob", "pw", state("b"));
  ASSERT_TRUE(alice.engine->start());
  ASSERT_TRUE(alice.engine->create_room("r"));
  server_.fail_next_appends = 1;
  server_.land_failed_appends = true;
  EXPECT_FALSE(alice.room("r")->send({"lost reply"}));
  ASSERT_TRUE(alice.room("r")->send({"after"}));
  ASSERT_TRUE(bob.engine->start());
  const std::string want = "<alice> lost reply\n";
  for (Client* c : {&alice, &bob}) {
    const std::string log = c->text("r");
    ASSERT_NE(log.find(want), std::string::npos) << log;
    EXPECT_EQ(log.find(want, log.find(want) + 1), std::string::npos) << log;
    EXPECT_LT(log.find(want), log.find("<alice> after"));
  }
}

TEST_F(ChatEngineTest, RemountReusesTheWriterIdButConcurrentMountsDoNot) {
  {
    Client alice(server_, "alice", "pw", state("a"));
    ASSERT_TRUE(alice.engine->start());
    ASSERT_TRUE(alice.engine->create_room("r"));
    ASSERT_TRUE(alice.room("r")->send({"first"}));
  }
  Client again(server_, "alice", "pw", state("a")), twin(server_, "alice", "pw", state("a"));
  ASSERT_TRUE(again.engine->start());
  ASSERT_TRUE(twin.engine->start());
  ASSERT_TRUE(again.room("r")->send({"second"}));
  ASSERT_TRUE(twin.room("r")->send({"third"}));
  int writer_files = 0;
  for (const auto& [path, data] : server_.files) writer_files += path.ends_with(".w");
  EXPECT_EQ(writer_files, 2);
  const std::string log = twin.text("r");
  EXPECT_NE(log.find("first"), std::string::npos);
  EXPECT_NE(log.find("second"), std::string::npos);
  EXPECT_EQ(again.room("r")->counters().missing, 0u);
}

TEST_F(ChatEngineTest, AHeaderCopiedIntoAnotherFolderIsRefused) {
  Client alice(server_, "alice", "pw", state("a"));
  ASSERT_TRUE(alice.engine->start());
  ASSERT_TRUE(alice.engine->create_room("r"));
  std::string header;
  for (const auto& [path, data] : server_.files)
    if (path.ends_with("/header")) header = data;
  const std::string copy = std::string(32, 'a');
  server_.dirs.insert(copy);
  server_.files[copy + "/header"] = header;
  auto rooms = alice.engine->rooms(std::chrono::milliseconds(0));
  ASSERT_EQ(rooms.size(), 2u);
  for (const auto& entry : rooms)
    if (entry.name == copy) {
      EXPECT_EQ(entry.room, nullptr);
      EXPECT_NE(entry.unreadable_reason.find("belongs to room"), std::string::npos);
    }
}

TEST_F(ChatEngineTest, OversizedMessagesAreRefusedWhole) {
  Client alice(server_, "alice", "pw", state("a"));
  ASSERT_TRUE(alice.engine->start());
  ASSERT_TRUE(alice.engine->create_room("r"));
  auto sent = alice.room("r")->send({"ok", std::string(kMaxBodyBytes + 1, 'x')});
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, Errc::too_large);
  for (const auto& [path, data] : server_.files) EXPECT_FALSE(path.ends_with(".w"));
}

}  // namespace
}  // namespace ftpchat
