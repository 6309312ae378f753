// Hex and base64url helpers: round trips, and the strictness the format's canonical encodings
// rely on (docs/FORMAT.md, "Conventions").
#include "ftpchat/core/bytes.hpp"

#include <gtest/gtest.h>

namespace ftpchat {
namespace {

TEST(Base64, RoundTripsEveryLength) {
  std::string bytes;
  for (int n = 0; n < 40; ++n) {
    EXPECT_EQ(from_base64(to_base64(bytes)), bytes) << n;
    bytes.push_back(static_cast<char>(n * 37));
  }
}

TEST(Base64, RefusesAnythingButTheCanonicalUrlSafeForm) {
  const std::string good = to_base64("any bytes?");
  EXPECT_TRUE(from_base64(good));
  for (const char* bad : {"AA==", "A", "AB+/", "AB\n", " ABC", "AB C"}) EXPECT_FALSE(from_base64(bad)) << bad;
  EXPECT_FALSE(from_base64("AB"));  // unused bits set: 'B' leaves a 1 in them
  // libsodium 1.0.18 takes any byte from 0x80 up for '_'; we must not.
  for (int c = 0x80; c < 0x100; ++c) {
    std::string text = "AAA";
    text.push_back(static_cast<char>(c));
    EXPECT_FALSE(from_base64(text)) << c;
  }
  EXPECT_TRUE(from_base64("AAA_"));
}

}  // namespace
}  // namespace ftpchat
