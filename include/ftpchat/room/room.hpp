// One readable room: fetches new records from every writer file, keeps the rendered
// log, and sends this client's messages by appending to its own writer file.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ftpchat/record/header.hpp"
#include "ftpchat/room/log_store.hpp"
#include "ftpchat/room/room_context.hpp"
#include "ftpchat/room/writer_cursor.hpp"
#include "ftpchat/room/writer_identity.hpp"

namespace ftpchat {

struct RoomCounters {
  std::uint64_t received = 0;      // messages rendered from the server
  std::uint64_t sent = 0;          // messages this mount appended
  std::uint64_t rejected = 0;      // records that failed to decode or authenticate
  std::uint64_t duplicates = 0;    // records dropped as already seen
  std::uint64_t missing = 0;       // sequence numbers never seen
  std::uint64_t bytes_fetched = 0;
  std::int64_t last_sync_ms = 0;   // 0: never
  std::string last_error;          // empty: none since the last success
};

class Room {
 public:
  Room(OpenedRoom opened, std::string folder, RoomContext ctx);

  const std::string& name() const { return opened_.name; }
  const std::string& folder() const { return folder_; }

  // Fetches what is new on the server and appends it to the log.
  Result<void> sync();
  // Sends each body as one message; returns once the server has them all.
  Result<void> send(const std::vector<std::string>& bodies);

  std::uint64_t log_size() const;
  std::string read_log(std::uint64_t offset, std::size_t length) const;
  RoomCounters counters() const;

 private:
  Result<void> sync_locked();
  Result<void> ensure_writer_locked();
  std::string writer_path(const Id128& writer) const;
  void record_error(const Error& err);

  const OpenedRoom opened_;
  const std::string folder_;
  RoomContext ctx_;

  // Network state: taken first, held across transport calls; serializes sync and send.
  std::mutex net_mu_;
  std::map<std::string, WriterCursor> cursors_;  // by file name; guarded by net_mu_
  std::optional<WriterIdentity> own_;            // guarded by net_mu_
  std::uint64_t echoed_seq_ = 0;   // own messages rendered at send time; guarded by net_mu_
  bool synced_once_ = false;       // guarded by net_mu_
  bool own_file_uncertain_ = false;  // a send failed: re-read our file first; guarded by net_mu_

  // Rendered state: taken after net_mu_, never held across I/O.
  mutable std::mutex state_mu_;
  LogStore log_;            // guarded by state_mu_
  RoomCounters counters_;   // guarded by state_mu_
};

}  // namespace ftpchat
