// Initializes libsodium once for the whole unit-test binary (nothing else calls sodium_init:
// in the daemon main() does). Registered from a static initializer, before main runs.
#include <gtest/gtest.h>
#include <sodium.h>

namespace {

class SodiumEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { ASSERT_GE(sodium_init(), 0) << "sodium_init failed"; }
};

// gtest owns the environment; the pointer only exists to run the registration.
[[maybe_unused]] ::testing::Environment* const kSodium =
    ::testing::AddGlobalTestEnvironment(new SodiumEnvironment);

}  // namespace
