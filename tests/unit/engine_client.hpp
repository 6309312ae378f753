// A chat client for engine tests: one ChatEngine over the shared in-memory server, with a
// fixed wall clock and its own state folder.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>

#include "ftpchat/identity/public_id.hpp"
#include "ftpchat/room/chat_engine.hpp"
#include "memory_transport.hpp"

namespace ftpchat::testing {

class FixedClock : public WallClock {
 public:
  std::int64_t now_ms() const override { return ms; }
  std::int64_t ms = 1795000000000;  // 2026-11-18 11:06:40 UTC
};

struct EngineClient {
  EngineClient(MemoryTransport& server, const std::string& nick, const std::filesystem::path& state,
               const std::string& pass = "pw", const std::filesystem::path& cache = {})
      : log("test", LogLevel::error) {
    EngineConfig cfg;
    cfg.nick = nick;
    cfg.state_dir = state;
    cfg.cache_dir = cache;
    engine = std::make_unique<ChatEngine>(std::make_unique<SharedMemoryTransport>(server), cfg,
                                          SecretBytes::from(pass), log, clock);
  }
  std::shared_ptr<Room> room(const std::string& name) {
    auto entry = engine->find(name, std::chrono::milliseconds(0));
    return entry ? entry->room : nullptr;
  }
  std::string text(const std::string& name) {
    auto r = room(name);
    (void)r->sync();
    return r->read_log(0, 1 << 20);
  }
  Logger log;
  FixedClock clock;
  std::unique_ptr<ChatEngine> engine;
};

// A user of a member room on the shared in-memory server: an identity and no passphrase.
struct MemberClient {
  MemberClient(MemoryTransport& server, const std::string& nick, std::shared_ptr<const Identity> id,
               const std::filesystem::path& state, bool receipts = false)
      : identity(std::move(id)), log("test", LogLevel::error) {
    EngineConfig cfg;
    cfg.nick = nick;
    cfg.state_dir = state;
    cfg.identity = identity;
    cfg.receipts = receipts;
    engine = std::make_unique<ChatEngine>(std::make_unique<SharedMemoryTransport>(server), cfg,
                                          SecretBytes(), log, clock);
    EXPECT_TRUE(engine->start());
  }
  std::shared_ptr<Room> room(const std::string& name = "team") {
    auto entry = engine->find(name, std::chrono::milliseconds(0));
    return entry ? entry->room : nullptr;
  }
  // What a reader of ROOM/log gets after a sync (and so has seen).
  std::string text(const std::string& name = "team") {
    auto r = room(name);
    if (!r) return "";
    (void)r->sync();
    return r->read_log(0, 1 << 20);
  }
  std::string id() const { return format_public_id(identity->public_key()); }

  std::shared_ptr<const Identity> identity;
  Logger log;
  FixedClock clock;
  std::unique_ptr<ChatEngine> engine;
};

inline std::filesystem::path test_state_dir(const std::string& suite) {
  return std::filesystem::temp_directory_path() /
         (suite + "-" + std::to_string(::getpid()) + "-" +
          ::testing::UnitTest::GetInstance()->current_test_info()->name());
}

// In UTC, with an empty folder state_ (test_state_dir(suite)) removed again at the end.
class StateDirTest : public ::testing::Test {
 protected:
  explicit StateDirTest(std::string suite) : suite_(std::move(suite)) {}
  void SetUp() override {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    state_ = test_state_dir(suite_);
    std::filesystem::remove_all(state_);
  }
  void TearDown() override { std::filesystem::remove_all(state_); }

  std::string suite_;
  std::filesystem::path state_;
};

// Alice and Bob on one in-memory server, in UTC; Alice has created room "r".
class TwoClientTest : public StateDirTest {
 protected:
  explicit TwoClientTest(std::string suite) : StateDirTest(std::move(suite)) {}
  void SetUp() override {
    StateDirTest::SetUp();
    alice_ = std::make_unique<EngineClient>(server_, "alice", state_ / "a");
    bob_ = std::make_unique<EngineClient>(server_, "bob", state_ / "b");
    ASSERT_TRUE(alice_->engine->start());
    ASSERT_TRUE(alice_->engine->create_room("r"));
    ASSERT_TRUE(bob_->engine->start());
  }
  void TearDown() override {
    alice_.reset();
    bob_.reset();
    StateDirTest::TearDown();
  }
  std::string folder() { return alice_->room("r")->folder(); }

  MemoryTransport server_;
  std::unique_ptr<EngineClient> alice_, bob_;
};

inline std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

}  // namespace ftpchat::testing
