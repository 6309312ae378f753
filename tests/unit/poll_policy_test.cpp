// PollPolicy: fast while active, backing off to the caps when quiet, never faster than poll=MS.
#include "ftpchat/room/poll_policy.hpp"

#include <gtest/gtest.h>

namespace ftpchat {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(PollPolicy, FastWhileActiveThenBacksOffToTheCaps) {
  PollPolicy p;
  EXPECT_EQ(p.interval(milliseconds(0), false), milliseconds(250));
  EXPECT_EQ(p.interval(seconds(29), false), milliseconds(250));
  EXPECT_EQ(p.interval(seconds(30), false), milliseconds(500));
  EXPECT_EQ(p.interval(seconds(35), false), milliseconds(1000));
  EXPECT_EQ(p.interval(seconds(40), true), milliseconds(2000));
  EXPECT_EQ(p.interval(seconds(45), true), milliseconds(3000));   // watched: capped at 3 s
  EXPECT_EQ(p.interval(seconds(40), false), milliseconds(2000));
  EXPECT_EQ(p.interval(seconds(60), false), milliseconds(5000));  // a minute of quiet: idle cap
  EXPECT_EQ(p.interval(seconds(3600 * 24 * 365), false), milliseconds(5000));
  EXPECT_EQ(p.interval(seconds(60), true), milliseconds(3000));
}

TEST(PollPolicy, PollOptionAboveTheCapsIsAFixedInterval) {
  PollPolicy p;
  p.fast = seconds(10);
  EXPECT_EQ(p.interval(milliseconds(0), false), seconds(10));
  EXPECT_EQ(p.interval(seconds(600), true), seconds(10));
  EXPECT_EQ(p.interval(seconds(600), false), seconds(10));
}

}  // namespace
}  // namespace ftpchat
