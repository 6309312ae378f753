// ConnectionPool (room/connection_pool.hpp): a write never waits behind a read in progress,
// reads run side by side up to the limit, connections are made only when needed, a server
// that refuses one more connection is lived with, and status questions never wait.
// Requests are held at a gate by the test (pool_server.hpp), not timed: each wait below is
// bounded only so that a bug shows as a failure instead of a hang.
#include "ftpchat/room/connection_pool.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "pool_server.hpp"

namespace ftpchat {
namespace {

using testing::PoolServer;
using namespace std::chrono_literals;

class ConnectionPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.data.dirs.insert("room");
    server_.data.files["room/a.w"] = "history\n";
  }
  std::unique_ptr<ConnectionPool> pool(std::size_t size, bool factory = true) {
    return std::make_unique<ConnectionPool>(
        server_.connect(), factory ? server_.factory() : TransportFactory{}, size, log_);
  }
  // A read of room/a.w on another thread (it waits at the gate when one is closed).
  std::future<Result<std::string>> read_async(ConnectionPool& p) {
    return std::async(std::launch::async, [&p] { return p.read("room/a.w", 0); });
  }
  static bool done_within(const auto& future, std::chrono::seconds limit = 10s) {
    return future.wait_for(limit) == std::future_status::ready;
  }

  PoolServer server_;
  Logger log_{"test", LogLevel::error};
};

TEST_F(ConnectionPoolTest, AWriteNeverWaitsBehindAReadInProgress) {
  auto p = pool(3);
  server_.close_gate("room/a.w");
  auto reading = read_async(*p);
  ASSERT_TRUE(server_.wait_at_gate(1));
  // The read holds its connection; the append goes on the writing connection meanwhile.
  auto appending = std::async(std::launch::async, [&] { return p->append("room/b.w", "x\n"); });
  ASSERT_TRUE(done_within(appending)) << "the append waited behind the read";
  EXPECT_TRUE(appending.get());
  ASSERT_TRUE(p->activity());
  EXPECT_EQ(p->activity()->request, "download of room/a.w");  // status knows, at once
  server_.open_gate();
  ASSERT_TRUE(done_within(reading));
  EXPECT_EQ(reading.get().value(), "history\n");
  EXPECT_EQ(server_.connections(), 2);  // the first (reads) and the writing one
  EXPECT_FALSE(p->activity());
}

// Rooms sent to at once go out side by side: while the writing connection is busy with one
// room, another room's first write takes an idle reading connection (never the first), which
// writes from then on; each room keeps the connection of its first write.
TEST_F(ConnectionPoolTest, RoomsSentToAtOnceGoSideBySideAndEachKeepsItsConnection) {
  server_.data.dirs.insert("other");
  auto p = pool(4);
  server_.close_gate("room/a.w");  // two reads at once: a second reading connection
  auto r1 = read_async(*p);
  auto r2 = read_async(*p);
  ASSERT_TRUE(server_.wait_at_gate(2));
  server_.open_gate();
  ASSERT_TRUE(done_within(r1) && done_within(r2));
  ASSERT_EQ(server_.connections(), 2);
  server_.close_gate("room/b.w");
  auto first = std::async(std::launch::async, [&] { return p->append("room/b.w", "1\n"); });
  ASSERT_TRUE(server_.wait_at_gate(1));  // on the writing connection, made now
  auto other = std::async(std::launch::async, [&] { return p->append("other/c.w", "2\n"); });
  ASSERT_TRUE(done_within(other)) << "a send to another room waited behind this one's";
  EXPECT_TRUE(other.get());
  EXPECT_EQ(server_.connections(), 3) << "a connection was made instead of an idle one used";
  // The first room's next send waits for its own connection, though another is free.
  auto again = std::async(std::launch::async, [&] { return p->append("room/b.w", "3\n"); });
  server_.open_gate();
  ASSERT_TRUE(done_within(first) && done_within(again));
  EXPECT_TRUE(first.get() && again.get());
  EXPECT_EQ(server_.data.files["room/b.w"], "1\n3\n");
  EXPECT_EQ(server_.appended_on("room/b.w").size(), 1u) << "one room written on two connections";
  EXPECT_EQ(server_.appended_on("other/c.w").size(), 1u);
  EXPECT_NE(*server_.appended_on("room/b.w").begin(), *server_.appended_on("other/c.w").begin());
  EXPECT_NE(server_.appended_on("other/c.w").count(1), 1u) << "the first connection wrote";
  ASSERT_TRUE(p->read("room/a.w", 0));  // reads go on, on what is left for them
  EXPECT_LE(p->open_connections(), 4u);
}

TEST_F(ConnectionPoolTest, ReadsRunSideBySideUpToTheLimitAndConnectionsAreMadeOnlyWhenNeeded) {
  auto p = pool(3);  // one writing connection, two reading ones
  ASSERT_TRUE(p->read("room/a.w", 0));
  ASSERT_TRUE(p->list("room"));
  EXPECT_EQ(server_.connections(), 1) << "a connection made while the first was free";
  server_.close_gate("room/a.w");
  auto first = read_async(*p);
  auto second = read_async(*p);
  ASSERT_TRUE(server_.wait_at_gate(2)) << "two reads did not run at once";
  auto third = read_async(*p);  // no third reading connection: it waits for a free one
  server_.open_gate();
  for (auto* f : {&first, &second, &third}) {
    ASSERT_TRUE(done_within(*f));
    EXPECT_TRUE(f->get());
  }
  EXPECT_EQ(server_.connections(), 2);
  EXPECT_EQ(p->max_readers(), 2u);
  EXPECT_EQ(p->stats().requests, 5u);  // summed over the connections
}

TEST_F(ConnectionPoolTest, OneConnectionWithoutAFactory) {
  auto p = pool(4, false);
  EXPECT_EQ(p->max_readers(), 1u);
  ASSERT_TRUE(p->append("room/b.w", "x\n"));
  ASSERT_TRUE(p->read("room/b.w", 0));
  EXPECT_EQ(server_.connections(), 1);
}

TEST_F(ConnectionPoolTest, AServerThatRefusesOneMoreConnectionIsLivedWith) {
  auto p = pool(4);
  ASSERT_TRUE(p->read("room/a.w", 0));                  // the first connection works
  server_.refuse_new_connections(Errc::login_refused);  // "530 too many connections"
  server_.close_gate("room/a.w");
  auto held = read_async(*p);
  ASSERT_TRUE(server_.wait_at_gate(1));
  // A second read needs a new connection, which is refused: it waits for the first instead.
  auto second = std::async(std::launch::async, [&] { return p->list("room"); });
  for (int i = 0; i < 1000 && server_.connections() < 2; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(server_.connections(), 2) << "no second connection was tried";
  server_.open_gate();
  ASSERT_TRUE(done_within(held));
  ASSERT_TRUE(done_within(second));
  EXPECT_TRUE(held.get());
  EXPECT_TRUE(second.get()) << "the refused connection's read was not sent again";
  EXPECT_EQ(p->open_connections(), 1u);
  const int made = server_.connections();
  // No more attempts for a while; writes stay on the first connection.
  ASSERT_TRUE(p->append("room/b.w", "x\n"));
  ASSERT_TRUE(p->read("room/b.w", 0));
  EXPECT_EQ(server_.connections(), made);
  EXPECT_EQ(server_.data.files["room/b.w"], "x\n");
}

TEST_F(ConnectionPoolTest, ARefusedWritingConnectionFailsOnceThenWritesGoOnTheFirst) {
  auto p = pool(2);
  ASSERT_TRUE(p->list("room"));
  server_.refuse_new_connections(Errc::unreachable);  // "421 too many connections"
  auto refused = p->append("room/b.w", "x\n");
  ASSERT_FALSE(refused);  // its outcome is the engine's business: it sends again
  EXPECT_EQ(refused.error().code, Errc::unreachable);
  ASSERT_TRUE(p->append("room/b.w", "x\n"));
  EXPECT_EQ(server_.data.files["room/b.w"], "x\n");
  EXPECT_EQ(p->open_connections(), 1u);
}

TEST_F(ConnectionPoolTest, AFailingNewConnectionIsNoLimitWhileNoneHasWorked) {
  auto p = pool(3);
  server_.refuse_new_connections(Errc::unreachable);
  server_.close_gate("room");
  auto first = std::async(std::launch::async, [&] { return p->list("room"); });
  ASSERT_TRUE(server_.wait_at_gate(1));
  // The first connection has not answered yet: the server may be down, not full. The error
  // is the caller's, and the new connection stays (no limit learnt).
  auto second = p->list("room");
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, Errc::unreachable);
  EXPECT_EQ(p->open_connections(), 2u);
  server_.open_gate();
  ASSERT_TRUE(done_within(first));
  EXPECT_TRUE(first.get());
}

// ROOM/status shows one transport mode: the writer's write way and every facet learnt by
// any connection, once.
TEST(MergeTransportModes, TheWritersWayAndEveryConnectionsFacetsOnce) {
  EXPECT_EQ(merge_transport_modes({}), "");
  EXPECT_EQ(merge_transport_modes({"append"}), "append");
  EXPECT_EQ(merge_transport_modes({"append", "append, listing by STAT"}),
            "append, listing by STAT");
  EXPECT_EQ(merge_transport_modes({"rewrite (server lacks APPE)", "append, listing by STAT",
                                   "append, listing by STAT"}),
            "rewrite (server lacks APPE), listing by STAT");
  EXPECT_EQ(merge_transport_modes(
                {"append (ranged PUT, size-checked)", "append (ranged PUT not probed yet)"}),
            "append (ranged PUT, size-checked)");
  EXPECT_EQ(merge_transport_modes(
                {"append, active (-o active)", "append, listing by STAT, active (-o active)"}),
            "append, listing by STAT, active (-o active)");
  EXPECT_EQ(merge_transport_modes({"append, listing by LIST (server lacks STAT (500))",
                                   "append, full fetch (server lacks REST, as found)"}),
            "append, full fetch (server lacks REST, as found), listing by LIST (server lacks "
            "STAT (500))");
}

}  // namespace
}  // namespace ftpchat
