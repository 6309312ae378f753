// Fixed keys and ids of the fuzz targets: the format v1 known-answer vectors of
// tests/data/kat_v1.txt, so the seed corpora (made from the same file by make_seeds.py) decode.
#pragma once

#include <string>
#include <string_view>

#include "ftpchat/core/bytes.hpp"

namespace ftpchat::fuzz {

inline constexpr std::string_view kPassphrase = "correct horse battery staple";
inline constexpr std::string_view kRecordsKeyHex =
    "3da638290a0b08c8669cf6813d58dc58ae4df429b2377c3e895e94fb24455fd1";
inline constexpr std::string_view kRoomIdHex = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf";
inline constexpr std::string_view kWriterHex = "404142434445464748494a4b4c4d4e4f";  // writer A

// Aborts on a broken invariant, so libFuzzer reports it as a crash with the input.
#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      __builtin_printf("fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      __builtin_trap();                                                                   \
    }                                                                                     \
  } while (0)

}  // namespace ftpchat::fuzz
