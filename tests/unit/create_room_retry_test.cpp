// ChatEngine::create_room when the connection drops during mkdir or the header upload: a retry
// that finds its own earlier request landed goes on; anything else is reported, never hidden.
#include <gtest/gtest.h>

#include "engine_client.hpp"
#include "ftpchat/room/room_layout.hpp"

namespace ftpchat {
namespace {

using testing::EngineClient;
using testing::MemoryTransport;

class CreateRoomRetryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state_ = testing::test_state_dir("create-room-retry");
    std::filesystem::remove_all(state_);
  }
  void TearDown() override { std::filesystem::remove_all(state_); }

  // Creates "general" as alice; true when a fresh client (bob) then opens it by name.
  Result<void> create(EngineClient& alice) {
    if (auto started = alice.engine->start(); !started) return started;
    return alice.engine->create_room("general");
  }
  bool bob_opens_general() {
    EngineClient bob(server_, "bob", state_ / "b");
    if (!bob.engine->start()) return false;
    return bob.room("general") != nullptr;
  }
  int room_folders() const { return static_cast<int>(server_.dirs.size()) - 1; }

  MemoryTransport server_;
  std::filesystem::path state_;
};

TEST_F(CreateRoomRetryTest, MkdirThatLandedBeforeTheDropIsOurs) {
  EngineClient alice(server_, "alice", state_ / "a");
  server_.fail_next_make_dirs = 1;
  server_.land_failed_creates = true;
  ASSERT_TRUE(create(alice));
  EXPECT_EQ(server_.fail_next_make_dirs, 0);
  EXPECT_EQ(room_folders(), 1);
  EXPECT_TRUE(bob_opens_general());
}

TEST_F(CreateRoomRetryTest, MkdirLostInTheDropIsSentAgain) {
  EngineClient alice(server_, "alice", state_ / "a");
  server_.fail_next_make_dirs = 1;
  ASSERT_TRUE(create(alice));
  EXPECT_EQ(room_folders(), 1);
  EXPECT_TRUE(bob_opens_general());
}

TEST_F(CreateRoomRetryTest, HeaderThatLandedWithOurBytesIsAccepted) {
  EngineClient alice(server_, "alice", state_ / "a");
  server_.fail_next_creates = 1;
  server_.land_failed_creates = true;
  ASSERT_TRUE(create(alice));
  EXPECT_EQ(server_.fail_next_creates, 0);
  EXPECT_TRUE(bob_opens_general());
}

TEST_F(CreateRoomRetryTest, HeaderWithOtherBytesIsReportedNotAdopted) {
  EngineClient alice(server_, "alice", state_ / "a");
  server_.fail_next_creates = 1;
  server_.land_failed_creates = true;
  server_.landed_create_bytes = "not our header";
  auto created = create(alice);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, Errc::bad_data);
  EXPECT_NE(created.error().detail.find("not the one uploaded"), std::string::npos);
  EXPECT_FALSE(bob_opens_general());
}

TEST_F(CreateRoomRetryTest, SecondDropIsReportedAfterOneRetry) {
  EngineClient alice(server_, "alice", state_ / "a");
  server_.fail_next_make_dirs = 3;
  auto created = create(alice);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, Errc::timeout);
  EXPECT_EQ(server_.fail_next_make_dirs, 1);  // tried twice, not more
  EXPECT_EQ(room_folders(), 0);
}

}  // namespace
}  // namespace ftpchat
