// The mount's engine: finds the rooms in the remote directory, opens the passphrase rooms the
// passphrase unlocks and the member rooms the identity belongs to, creates rooms, and keeps
// every open room current with a background poller. Knows nothing of FUSE; the FUSE adapter
// calls it with room names.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <semaphore>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ftpchat/core/clock.hpp"
#include "ftpchat/core/logger.hpp"
#include "ftpchat/core/secret.hpp"
#include "ftpchat/room/ciphertext_cache.hpp"
#include "ftpchat/room/connection_pool.hpp"
#include "ftpchat/room/outbox_sender.hpp"
#include "ftpchat/room/room.hpp"
#include "ftpchat/room/room_context.hpp"

namespace ftpchat {

// The name of the file the mount's root keeps beside the rooms (MOUNT/.unread: the rooms
// with unread messages). A room of that name is listed with its folder's prefix, as the second of
// two rooms with one name is.
inline constexpr std::string_view kRootFileName = ".unread";

struct RoomEntry {
  std::string name;             // display name (folder id when unreadable)
  std::shared_ptr<Room> room;   // null when the passphrase does not open it
  std::string unreadable_reason;
  Errc unreadable_code = Errc::internal;  // not_member; invalid_argument: no passphrase given
};

class ChatEngine {
 public:
  // An empty passphrase: none given (config.ask_passphrase may supply one at start()).
  // `more` makes further connections to the same server (up to config.connections in all);
  // without it the engine has `transport` alone.
  ChatEngine(std::unique_ptr<Transport> transport, EngineConfig config, SecretBytes passphrase,
             Logger& log, const WallClock& wall, TransportFactory more = {});
  ~ChatEngine();
  ChatEngine(const ChatEngine&) = delete;
  ChatEngine& operator=(const ChatEngine&) = delete;

  // First contact: lists the remote directory and opens every room. Fails when the server
  // cannot be used, or when rooms exist and the passphrase opens none of them.
  Result<void> start();

  // Rooms as last seen; refreshed from the server when older than `max_age`. Once the poller
  // runs, the refresh runs on its own thread and this waits for it at most kListPatience:
  // `ls` answers at once whatever the network does (with the list as last seen).
  static constexpr std::chrono::milliseconds kListPatience{300};
  std::vector<RoomEntry> rooms(std::chrono::milliseconds max_age = std::chrono::milliseconds(1000));
  std::optional<RoomEntry> find(std::string_view name,
                                std::chrono::milliseconds max_age = std::chrono::milliseconds(1000));

  // MOUNT/.unread: one line per open room with unread messages, `COUNT NAME` (as uniq -c
  // writes), by name. Rooms as last listed (a list older than 5 s is refreshed in the
  // background for the next call): never waits for the server or a sync.
  std::string unread_summary();

  // What opening ROOM/log does: the poller syncs the room at once, and this waits for that
  // sync at most `patience`, so a server that stops answering cannot hang `cat log` (it then
  // shows what this mount has). Before the poller runs, the room is synced here.
  static constexpr std::chrono::milliseconds kOpenPatience{2000};
  void sync_soon(const std::shared_ptr<Room>& room,
                 std::chrono::milliseconds patience = kOpenPatience);

  // Creates a room on the server: exists if a room of that name is already there. A
  // passphrase room when the engine has a passphrase, else a member room owned by the
  // identity (named config.nick in it), else invalid_argument.
  Result<void> create_room(std::string_view name);
  // A member room owned by the identity, with more first members.
  Result<void> create_member_room(std::string_view name, const std::vector<GenesisMember>& members);

  // Background polling of every open room, every config.poll (as many rooms at once as the
  // pool has reading connections), and the background sender of every room's spooled
  // messages.
  void start_poller();
  void stop_poller();

  const EngineConfig& config() const { return config_; }
  std::string display_url() const { return transport_.display_url(); }
  // The engine's (thread-safe) connections, for tools that read a room directly (verify).
  ConnectionPool& transport() { return transport_; }

 private:
  struct Slot {
    std::shared_ptr<Room> room;
    std::string reason;               // why it is unreadable
    Errc reason_code = Errc::internal;
    std::chrono::steady_clock::time_point probed{};  // member rooms not ours: last tried
    bool header_missing = false;      // writer files but no header yet: looked at again
  };
  Result<void> refresh();
  Result<void> refresh_locked();  // requires refresh_mu_
  bool list_is_older_than(std::chrono::milliseconds max_age) const;
  // A refresh when the list is older than max_age: inline before the poller starts, else on
  // refresher_, waited for at most kListPatience.
  void refresh_if_stale(std::chrono::milliseconds max_age);
  void refresh_loop();
  // missing_header_logged: a header still missing is not logged again. Thread-safe: rooms
  // open in parallel (engine_open.cpp).
  Result<Slot> open_folder(const std::string& folder, bool missing_header_logged = false);
  // `kept`: the header came from this machine (its failures are logged by open_folder).
  Result<Slot> open_header(const std::string& folder, const std::string& raw, bool kept);
  Result<Slot> open_member_folder(const std::string& folder, const RoomHeader& header);
  bool passphrase_available();  // asks config.ask_passphrase once while starting; ask_mu_
  Result<void> upload_and_add(std::string_view name, const std::string& folder,
                              const std::string& header, OpenedRoom opened,
                              std::unique_ptr<MemberRoom> member);  // requires refresh_mu_
  std::vector<RoomEntry> entries_locked() const;
  std::vector<std::shared_ptr<Room>> open_rooms() const;  // takes rooms_mu_; no network
  RoomContext room_context();
  void poll_loop();

  // A sync the poller's workers finished (engine_poll.cpp).
  struct SyncDone {
    std::string folder;
    std::uint64_t activity = 0;  // received + sent + pending after it
    std::string error;           // empty: it worked
  };

  EngineConfig config_;
  ConnectionPool transport_;
  std::unique_ptr<CachingTransport> cached_;  // rooms read writer files through it, if set
  std::unique_ptr<HeaderCache> headers_;      // with cached_
  std::mutex ask_mu_;       // passphrase_available() while rooms open in parallel
  SecretBytes passphrase_;  // empty: none; guarded by refresh_mu_ after start()
  bool starting_ = false;   // ask_passphrase may be asked; refresh_mu_
  bool asked_ = false;      // it was; refresh_mu_
  Logger& log_;
  const WallClock& wall_;
  HybridClock clock_;
  std::counting_semaphore<256> kdf_slots_;  // key derivations at once: one per core

  std::mutex refresh_mu_;   // serializes refresh() and create_room(); taken before rooms_mu_
  mutable std::mutex rooms_mu_;
  std::map<std::string, Slot> slots_;        // by folder; guarded by rooms_mu_
  std::chrono::steady_clock::time_point refreshed_{};  // guarded by rooms_mu_

  std::mutex poll_mu_;
  std::condition_variable poll_cv_;
  bool stopping_ = false;   // guarded by poll_mu_
  bool refresh_wanted_ = false;     // guarded by poll_mu_
  std::set<std::string> sync_wanted_;  // room folders to sync now (sync_soon); poll_mu_
  std::vector<SyncDone> syncs_done_;   // by the poller's workers, for the poller; poll_mu_
  std::uint64_t refreshes_started_ = 0;  // by refresher_; guarded by poll_mu_
  std::uint64_t refreshes_done_ = 0;     // by refresher_; guarded by poll_mu_
  std::thread poller_;
  std::thread refresher_;   // runs refreshes asked for by FUSE callers

  OutboxSender sender_;  // last: stopped (joined) before the rooms go away
};

}  // namespace ftpchat
