// Rooms' headers kept on this machine (room/header_cache.hpp): a warm mount opens its rooms
// without fetching them, the first sync still compares each with the server's, a replaced
// or broken one is not trusted; and rooms open in parallel over the connection pool.
#include "ftpchat/room/header_cache.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <future>

#include "engine_client.hpp"
#include "ftpchat/room/room_layout.hpp"
#include "pool_server.hpp"

namespace ftpchat {
namespace {

using testing::EngineClient;
using testing::MemoryTransport;
using namespace std::chrono_literals;

class HeaderCacheTest : public testing::StateDirTest {
 protected:
  HeaderCacheTest() : StateDirTest("ftpchat-header-cache") {}
  std::unique_ptr<EngineClient> client(const std::string& who) {
    auto c =
        std::make_unique<EngineClient>(server_, who, state_ / who, "pw", state_ / (who + "-cache"));
    EXPECT_TRUE(c->engine->start());
    return c;
  }
  std::size_t header_reads() const {
    return static_cast<std::size_t>(
        std::count_if(server_.read_paths.begin(), server_.read_paths.end(),
                      [](const std::string& p) { return p.ends_with("/header"); }));
  }

  MemoryTransport server_;
};

TEST_F(HeaderCacheTest, KeepsLoadsAndForgetsOnlyRoomFolders) {
  const HeaderCache cache(state_ / "c");
  const std::string folder(32, 'a');
  EXPECT_FALSE(cache.load(folder));
  cache.store(folder, "header bytes");
  EXPECT_EQ(cache.load(folder).value_or(""), "header bytes");
  EXPECT_EQ(std::filesystem::status(state_ / "c" / folder / "header").permissions() &
                std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  cache.forget(folder);
  EXPECT_FALSE(cache.load(folder));
  cache.store("../elsewhere", "x");  // not a room folder: nothing written
  EXPECT_FALSE(std::filesystem::exists(state_ / "elsewhere"));
}

TEST_F(HeaderCacheTest, AWarmMountOpensRoomsWithoutFetchingTheirHeaders) {
  {
    auto alice = client("alice");
    ASSERT_TRUE(alice->engine->create_room("r1"));
    ASSERT_TRUE(alice->engine->create_room("r2"));
    ASSERT_TRUE(alice->room("r1")->send({"hello"}));
  }
  auto bob = client("bob");  // a first mount reads the headers, and keeps them
  ASSERT_NE(bob->room("r1"), nullptr);
  EXPECT_EQ(header_reads(), 2u);
  bob.reset();
  server_.read_paths.clear();
  bob = client("bob");  // warm: none read to open the rooms
  ASSERT_NE(bob->room("r2"), nullptr);
  EXPECT_EQ(header_reads(), 0u);
  // The first sync shows the log with no header read (its listing has the header's size);
  // the second compares the kept header with the server's, byte for byte.
  EXPECT_NE(bob->text("r1").find("<alice> hello"), std::string::npos);
  EXPECT_EQ(header_reads(), 0u);
  ASSERT_TRUE(bob->room("r1")->sync());
  EXPECT_EQ(header_reads(), 1u);
  EXPECT_EQ(bob->room("r1")->counters().read_only_reason, "");
}

TEST_F(HeaderCacheTest, AKeptHeaderTheServerNoLongerHasMakesTheRoomReadOnlyAndIsForgotten) {
  std::string folder;
  {
    auto alice = client("alice");
    ASSERT_TRUE(alice->engine->create_room("r"));
    folder = alice->room("r")->folder();
  }
  client("bob").reset();  // keeps the header
  // The server's header is replaced by another of the same size (a swap of the room's key).
  std::string& header = server_.files[folder + "/header"];
  header[header.size() / 2] ^= 1;
  auto bob = client("bob");
  ASSERT_NE(bob->room("r"), nullptr);  // opened from the kept header
  (void)bob->room("r")->sync();        // the first sync: the size is right
  (void)bob->room("r")->sync();        // the second compares the bytes
  EXPECT_NE(bob->room("r")->counters().read_only_reason, "") << "a replaced header went unseen";
  bob.reset();
  server_.read_paths.clear();
  bob = client("bob");  // forgotten: this mount reads the server's (which does not open)
  EXPECT_GE(header_reads(), 1u);
}

TEST_F(HeaderCacheTest, ABrokenKeptHeaderIsReadFromTheServerInstead) {
  std::string folder;
  {
    auto alice = client("alice");
    ASSERT_TRUE(alice->engine->create_room("r"));
    folder = alice->room("r")->folder();
  }
  client("bob").reset();
  const std::filesystem::path kept = [&] {
    for (const auto& e : std::filesystem::recursive_directory_iterator(state_ / "bob-cache"))
      if (e.path().filename() == "header") return e.path();
    return std::filesystem::path();
  }();
  ASSERT_FALSE(kept.empty());
  std::ofstream(kept, std::ios::trunc) << "garbage";
  server_.read_paths.clear();
  auto bob = client("bob");
  ASSERT_NE(bob->room("r"), nullptr);
  EXPECT_EQ(header_reads(), 1u);
  EXPECT_EQ(bob->room("r")->counters().read_only_reason, "");
}

// A listing without the header (cut short on the way) is checked by reading the header before
// the room turns read-only; a header really gone does turn it read-only.
TEST_F(HeaderCacheTest, AHeaderMissingFromAListingIsReadBeforeTheRoomTurnsReadOnly) {
  auto alice = client("alice");
  ASSERT_TRUE(alice->engine->create_room("r"));
  const std::string header = alice->room("r")->folder() + "/header";
  ASSERT_TRUE(alice->room("r")->sync());
  server_.unlisted.insert(header);
  for (int i = 0; i < 3; ++i) (void)alice->room("r")->sync();  // the first is a full sync
  EXPECT_EQ(alice->room("r")->counters().read_only_reason, "");
  server_.unlisted.clear();
  server_.files.erase(header);
  auto bob = client("bob");  // a header gone: bob cannot open it, alice stops writing to it
  for (int i = 0; i < 31; ++i) (void)alice->room("r")->sync();  // a full sync among them
  EXPECT_EQ(alice->room("r")->counters().read_only_reason,
            "the room header disappeared from the server");
}

TEST_F(HeaderCacheTest, RoomsOpenInParallelOverThePool) {
  testing::PoolServer pool_server;
  testing::FixedClock clock;
  Logger log("test", LogLevel::error);
  EngineConfig cfg;
  cfg.state_dir = state_ / "alice";
  cfg.connections = 4;
  {
    ChatEngine alice(pool_server.connect(), cfg, SecretBytes::from("pw"), log, clock,
                     pool_server.factory());
    ASSERT_TRUE(alice.start());
    for (int i = 0; i < 6; ++i) ASSERT_TRUE(alice.create_room("r" + std::to_string(i)));
  }
  cfg.state_dir = state_ / "bob";
  ChatEngine bob(pool_server.connect(), cfg, SecretBytes::from("pw"), log, clock,
                 pool_server.factory());
  // Three headers at the server at once (a rendezvous): sequential opening never gets there.
  pool_server.close_gate("", 3, "/header");
  auto started = std::async(std::launch::async, [&] { return bob.start(); });
  const bool side_by_side = pool_server.wait_at_gate(3);
  pool_server.open_gate();
  ASSERT_EQ(started.wait_for(20s), std::future_status::ready);
  EXPECT_TRUE(side_by_side) << "the room headers were fetched one after the other";
  EXPECT_TRUE(started.get());
  EXPECT_EQ(bob.rooms(0ms).size(), 6u);
}

}  // namespace
}  // namespace ftpchat
