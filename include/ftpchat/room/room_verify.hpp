// `ftpchat verify`: reads every writer file of a room from the start and counts, per writer,
// what the reading rules accept and reject (docs/FORMAT.md), without touching the room.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ftpchat/record/header.hpp"
#include "ftpchat/room/member_room.hpp"
#include "ftpchat/transport/transport.hpp"

namespace ftpchat {

struct WriterReport {
  std::string file;                 // in the room folder: [<period>/]<hex(writer id)>.w
  std::uint64_t bytes = 0;
  std::uint64_t records = 0;        // accepted
  std::uint64_t compressed = 0;     // accepted records with flags bit 0
  std::uint64_t rejected = 0;       // lines that failed to decode, authenticate or verify, or
                                    // (member rooms) came from a non-member
  std::uint64_t refused = 0;        // member rooms: authentic records written after their
                                    // signer's removal (skipped by readers; no damage)
  std::uint64_t unreadable = 0;     // member rooms: records of epochs this identity was not given
  std::uint64_t duplicates = 0;     // retried appends (harmless)
  std::uint64_t missing = 0;        // sequence numbers never seen
  std::uint64_t unfinished_bytes = 0;  // after the last LF: a torn or running append
  std::uint64_t last_seq = 0;
};

struct VerifyReport {
  std::vector<WriterReport> writers;
  std::uint64_t records() const;
  std::uint64_t rejected() const;
  std::uint64_t missing() const;
  std::uint64_t refused() const;
  // Sound: nothing rejected and no sequence gap. Duplicates and an unfinished tail are normal
  // consequences of retried or running appends; records refused after their signer's removal
  // are the removal working (a removed member's client that had not seen it yet).
  bool sound() const { return rejected() == 0 && missing() == 0; }
};

// done/total in bytes, called after each writer file (all periods, oldest first).
using VerifyProgress = std::function<void(std::uint64_t done, std::uint64_t total)>;

// A member room needs its MemberRoom, after a sync (its keys and member list).
Result<VerifyReport> verify_room(Transport& transport, const OpenedRoom& room,
                                 const std::string& folder, const VerifyProgress& progress = {},
                                 const MemberRoom* member = nullptr);

}  // namespace ftpchat
