// Parallel polls (room/engine_poll.cpp) over a connection pool: a reader's poller syncs
// several rooms at once, never one room on two connections at once, and every room's log
// gets every message once, in send order, while the writer sends to all of them.
#include <gtest/gtest.h>

#include <thread>

#include "engine_client.hpp"
#include "pool_server.hpp"

namespace ftpchat {
namespace {

using testing::count_of;
using testing::FixedClock;
using testing::PoolServer;
using namespace std::chrono_literals;

struct PooledClient {
  PooledClient(PoolServer& server, const std::string& nick, const std::filesystem::path& state)
      : log("test", LogLevel::error) {
    EngineConfig cfg;
    cfg.nick = nick;
    cfg.state_dir = state;
    cfg.poll = 50ms;
    cfg.connections = 4;
    engine = std::make_unique<ChatEngine>(server.connect(nick), cfg, SecretBytes::from("pw"), log,
                                          clock, server.factory(nick));
  }
  std::shared_ptr<Room> room(const std::string& name) {
    auto entry = engine->find(name, 0ms);
    return entry ? entry->room : nullptr;
  }
  Logger log;
  FixedClock clock;
  std::unique_ptr<ChatEngine> engine;
};

class ParallelPollTest : public testing::StateDirTest {
 protected:
  ParallelPollTest() : StateDirTest("ftpchat-parallel-poll") {}

  PoolServer server_;
};

TEST_F(ParallelPollTest, RoomsArePolledSideBySideAndEachKeepsItsOrder) {
  constexpr int kRooms = 12, kMessages = 15;
  PooledClient alice(server_, "alice", state_ / "a"), bob(server_, "bob", state_ / "b");
  ASSERT_TRUE(alice.engine->start());
  for (int r = 0; r < kRooms; ++r) ASSERT_TRUE(alice.engine->create_room("r" + std::to_string(r)));
  ASSERT_TRUE(bob.engine->start());
  // Bob's first polls of the rooms: three of them must be at the server at once (a
  // rendezvous: a poller that syncs one room at a time never gets there).
  server_.close_gate("", 3);
  bob.engine->start_poller();
  const bool side_by_side = server_.wait_at_gate(3);
  server_.open_gate();
  ASSERT_TRUE(side_by_side) << "the poller never had three rooms at the server at once";
  for (int i = 1; i <= kMessages; ++i)
    for (int r = 0; r < kRooms; ++r)
      ASSERT_TRUE(alice.room("r" + std::to_string(r))->send({"m" + std::to_string(i)}));
  const auto complete = [&] {
    for (int r = 0; r < kRooms; ++r) {
      auto room = bob.room("r" + std::to_string(r));
      if (!room || count_of(room->read_log(0, 1 << 20, true), "<alice> ") < kMessages) return false;
    }
    return true;
  };
  for (auto deadline = std::chrono::steady_clock::now() + 20s;
       !complete() && std::chrono::steady_clock::now() < deadline;)
    std::this_thread::sleep_for(20ms);
  bob.engine->stop_poller();
  for (int r = 0; r < kRooms; ++r) {
    const std::string log = bob.room("r" + std::to_string(r))->read_log(0, 1 << 20, true);
    std::size_t last = 0;
    for (int i = 1; i <= kMessages; ++i) {
      const std::string line = "<alice> m" + std::to_string(i) + "\n";
      ASSERT_EQ(count_of(log, line), 1u) << "room r" << r << ": " << line << log;
      const std::size_t at = log.find(line);
      EXPECT_GT(at + 1, last) << "room r" << r << ": m" << i << " out of order\n" << log;
      last = at + 1;
    }
  }
  EXPECT_EQ(server_.same_room_overlaps(), 0) << "one room was synced on two connections at once";
  EXPECT_LE(bob.engine->transport().open_connections(), 3u);  // bob never writes: no writer
}

}  // namespace
}  // namespace ftpchat
