// Fixed keys and ids of the fuzz targets: the known-answer vectors of tests/data/kat_v1.txt and
// kat_v2.txt, so the seed corpora (made from the same files by make_seeds.py) decode.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ftpchat/core/bytes.hpp"

namespace ftpchat::fuzz {

inline constexpr std::string_view kPassphrase = "correct horse battery staple";
inline constexpr std::string_view kRecordsKeyHex =
    "3da638290a0b08c8669cf6813d58dc58ae4df429b2377c3e895e94fb24455fd1";
inline constexpr std::string_view kRoomIdHex = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf";
inline constexpr std::string_view kWriterHex = "404142434445464748494a4b4c4d4e4f";  // writer A

// Version 2 (member rooms): the room, the three identities' seeds, the three epoch keys,
// alice's writer id, and bob's identity file passphrase.
inline constexpr std::string_view kRoomIdV2Hex = "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf";
inline constexpr std::string_view kSeedHex[3] = {
    "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",   // alice (owner)
    "4242424242424242424242424242424242424242424242424242424242424242",   // bob
    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"};  // carol
inline constexpr std::string_view kEpochKeyHex[3] = {
    "303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f",
    "505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f",
    "707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f"};
inline constexpr std::string_view kWriterV2Hex = "e0e1e2e3e4e5e6e7e8e9eaebecedeeef";  // alice's
inline constexpr std::string_view kIdentityPassphrase = "bob's identity passphrase";

// Chunk boundaries derived from the input itself, so a crash reproduces from the input alone.
inline std::vector<std::string_view> chunks_of(std::string_view bytes) {
  std::vector<std::string_view> out;
  std::uint32_t state = 2166136261u ^ static_cast<std::uint32_t>(bytes.size());
  while (!bytes.empty()) {
    state = state * 1664525u + 1013904223u;
    const std::size_t n = std::min<std::size_t>(bytes.size(), 1 + (state >> 24) % 97);
    out.push_back(bytes.substr(0, n));
    bytes.remove_prefix(n);
  }
  return out;
}

// Aborts on a broken invariant, so libFuzzer reports it as a crash with the input.
#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      __builtin_trap();                                                                   \
    }                                                                                     \
  } while (0)

}  // namespace ftpchat::fuzz
