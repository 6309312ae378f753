// Capabilities: the one rendering of what a server was found to support ("transport mode"
// in ROOM/status), and the learnt state as the transports set it.
#include "../../src/transport/capabilities.hpp"

#include <gtest/gtest.h>

namespace ftpchat {
namespace {

TEST(Capabilities, UsualServerShowsAppendOnly) {
  EXPECT_EQ(describe(CapabilityState{}), "append");
  Capabilities caps;
  EXPECT_EQ(caps.describe(), "append");
  EXPECT_TRUE(caps.appends());
  EXPECT_TRUE(caps.ranged_reads());
  EXPECT_TRUE(caps.renames());
  EXPECT_EQ(caps.listing(), "");
}

TEST(Capabilities, MinimalFtpServerTexts) {
  // The exact texts test_minimal_servers.py reads from ROOM/status.
  Capabilities caps;
  caps.set_write(WriteWay::rewrite, "server lacks APPE");
  EXPECT_EQ(caps.describe(), "rewrite (server lacks APPE)");
  EXPECT_FALSE(caps.appends());
  Capabilities no_rest;
  no_rest.set_ranged_reads(false, "server lacks REST");
  EXPECT_EQ(no_rest.describe(), "append, full fetch (server lacks REST)");
  EXPECT_FALSE(no_rest.ranged_reads());
}

TEST(Capabilities, EveryDifferenceInItsPlace) {
  CapabilityState s;
  s.write = WriteWay::append;
  s.write_note = "RGW appendable objects";
  s.ranged_reads = false;
  s.read_note = "server ignores Range";
  s.rename = false;
  s.rename_note = "server lacks RNFR";
  s.listing = "STAT";
  EXPECT_EQ(describe(s),
            "append (RGW appendable objects), full fetch (server ignores Range), "
            "no rename (server lacks RNFR), listing by STAT");
  Capabilities caps(s);
  EXPECT_EQ(caps.listing(), "STAT");
  caps.set_listing("");
  caps.set_rename(true, "");
  caps.set_ranged_reads(true, "");
  EXPECT_EQ(caps.describe(), "append (RGW appendable objects)");
}

TEST(Capabilities, FtpListingAndDataConnectionsLast) {
  Capabilities caps;
  EXPECT_FALSE(caps.active());
  caps.set_listing("STAT");
  EXPECT_EQ(caps.describe(), "append, listing by STAT");
  caps.set_listing("LIST", "server lacks STAT (500)");
  caps.set_active("server refused passive");
  EXPECT_TRUE(caps.active());
  caps.set_ranged_reads(false, "server lacks REST");
  EXPECT_EQ(caps.describe(),
            "append, full fetch (server lacks REST), listing by LIST (server lacks STAT (500)), "
            "active (server refused passive)");
}

}  // namespace
}  // namespace ftpchat
