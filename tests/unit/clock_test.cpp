// The bounded hybrid logical clock (docs/FORMAT.md, "Stamps and clocks") and the watch that
// points out members whose clocks are far off.
#include "ftpchat/core/clock.hpp"

#include <gtest/gtest.h>

#include "ftpchat/room/clock_skew.hpp"

namespace ftpchat {
namespace {

class SettableClock : public WallClock {
 public:
  std::int64_t now_ms() const override { return ms; }
  std::int64_t ms = 1795000000000;
};

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;

TEST(HybridClock, StampsFollowTheWallClockAndNeverRepeat) {
  SettableClock wall;
  HybridClock clock(wall);
  const auto a = clock.tick();
  const auto b = clock.tick();
  EXPECT_EQ(HybridClock::millis(a), wall.ms);
  EXPECT_GT(b, a);
  wall.ms += 1000;
  EXPECT_EQ(HybridClock::millis(clock.tick()), wall.ms);
}

// The reported bug: one member two hours fast moved everybody's times.
TEST(HybridClock, AStampFarAheadIsNotAdopted) {
  SettableClock wall;
  HybridClock clock(wall);
  EXPECT_FALSE(clock.observe(HybridClock::from_millis(wall.ms + 2 * kHour)));
  EXPECT_EQ(HybridClock::millis(clock.tick()), wall.ms);
  EXPECT_FALSE(clock.observe(HybridClock::from_millis(wall.ms + kMaxClockLeadMs + 1)));
  EXPECT_EQ(HybridClock::millis(clock.tick()), wall.ms);
}

// Within the bound the clock stays causal: a reply sorts after what it answers.
TEST(HybridClock, AStampSlightlyAheadIsAdoptedSoRepliesSortAfterIt) {
  SettableClock wall;
  HybridClock clock(wall);
  const auto remote = HybridClock::from_millis(wall.ms + 20'000);
  EXPECT_TRUE(clock.observe(remote));
  EXPECT_GT(clock.tick(), remote);
  EXPECT_TRUE(clock.observe(HybridClock::from_millis(wall.ms - kHour)));  // behind: harmless
  EXPECT_GT(clock.tick(), remote);
}

// A clock stepped back a little keeps stamps rising; stepped back further than the bound, the
// stamps follow the wall clock again (readers keep each writer's own order by seq).
TEST(HybridClock, AWallClockSteppedBackFarStartsAfreshWithinBoundsItKeepsRising) {
  SettableClock wall;
  HybridClock clock(wall);
  const auto before = clock.tick();
  wall.ms -= 30'000;
  const auto small_step = clock.tick();
  EXPECT_GT(small_step, before);
  wall.ms -= kHour;
  const auto big_step = clock.tick();
  EXPECT_EQ(HybridClock::millis(big_step), wall.ms);
  EXPECT_GT(clock.tick(), big_step);
}

TEST(ClockSkewWatch, AStampFromTheFutureFlagsItsWriterAtOnceAndOnlyOnce) {
  ClockSkewWatch watch;
  const Id128 bob = random_id();
  const std::int64_t now = 1795000000000;
  auto found = watch.note(bob, "bob", now + 2 * kHour, now, false, 1);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->nick, "bob");
  EXPECT_EQ(found->offset_ms, 2 * kHour);
  const auto generation = watch.generation();
  EXPECT_FALSE(watch.note(bob, "bob", now + 2 * kHour + 5, now + 5, true, 2));
  EXPECT_EQ(watch.generation(), generation);  // nothing new to show
  ASSERT_EQ(watch.far_off().size(), 1u);
  EXPECT_EQ(watch.far_off()[0].writer, bob);
}

TEST(ClockSkewWatch, OldHistoryAndOneLateBatchAreNotAClockProblem) {
  ClockSkewWatch watch;
  const Id128 bob = random_id();
  const std::int64_t now = 1795000000000;
  // History read at the first sync: old, not live.
  EXPECT_FALSE(watch.note(bob, "bob", now - 3 * kHour, now, false, 1));
  // Messages queued while bob was offline, all arriving in one sync.
  EXPECT_FALSE(watch.note(bob, "bob", now - 20 * kMinute, now, true, 2));
  EXPECT_FALSE(watch.note(bob, "bob", now - 19 * kMinute, now, true, 2));
  // Then a message sent now: bob's clock is fine.
  EXPECT_FALSE(watch.note(bob, "bob", now + 10 * kMinute - 200, now + 10 * kMinute, true, 3));
  EXPECT_FALSE(watch.note(bob, "bob", now - 20 * kMinute, now + 11 * kMinute, true, 4));
  EXPECT_TRUE(watch.far_off().empty());
}

TEST(ClockSkewWatch, LiveRecordsLateInTwoSyncsFlagAClockBehindByTheSmallestLag) {
  ClockSkewWatch watch;
  const Id128 carol = random_id();
  const std::int64_t now = 1795000000000;
  EXPECT_FALSE(watch.note(carol, "carol", now - 3 * kHour - 900, now, true, 2));
  auto found = watch.note(carol, "carol", now + 5000 - 3 * kHour - 400, now + 5000, true, 3);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->offset_ms, -(3 * kHour + 400));
  // Clock set right: cleared, and reported again if it goes off again.
  EXPECT_FALSE(watch.note(carol, "carol", now + 9000, now + 9100, true, 4));
  EXPECT_TRUE(watch.far_off().empty());
  EXPECT_TRUE(watch.note(carol, "carol", now + 20 * kMinute, now + 10'000, true, 5));
}

TEST(ClockSkewWatch, OffsetsReadLikePeopleSayThem) {
  EXPECT_EQ(describe_offset(75'000), "75 s");
  EXPECT_EQ(describe_offset(-(4 * kMinute + 10'000)), "4 min 10 s");
  EXPECT_EQ(describe_offset(2 * kHour + 5 * kMinute), "2 h 5 min");
  EXPECT_EQ(describe_offset(3 * 24 * kHour + kHour), "3 days 1 h");
  EXPECT_EQ(describe_offset(2 * kHour - 300), "2 h 0 min");  // measured a little after sending
}

}  // namespace
}  // namespace ftpchat
