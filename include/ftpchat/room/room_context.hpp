// What every room of a mount shares: the connection, identity, clocks and log.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "ftpchat/cipher/record_cipher.hpp"
#include "ftpchat/core/clock.hpp"
#include "ftpchat/core/logger.hpp"
#include "ftpchat/identity/identity.hpp"
#include "ftpchat/room/locked_transport.hpp"
#include "ftpchat/transport/transport.hpp"

namespace ftpchat {

struct EngineConfig {
  std::string nick;                           // sender name shown to others
  std::chrono::milliseconds poll{250};        // fast poll interval (room/poll_policy.hpp)
  std::filesystem::path state_dir;            // $XDG_STATE_HOME/ftpchatfs
  std::filesystem::path cache_dir;            // $XDG_CACHE_HOME/ftpchatfs; empty: no cache
  Suite room_suite = Suite::xchacha20poly1305;  // cipher of rooms this client creates
  bool compress = false;                      // zstd message bodies when that saves bytes
  bool sync_send = false;                     // close()/fsync() on outbox wait for the server
  bool sync_read = false;                     // a read at the end of log asks the server first
  std::chrono::milliseconds send_timeout{30000};  // how long they wait (-o send_timeout=SEC)
  bool receipts = false;  // member rooms: send receipts, and show others' (-o receipts)
  // Member rooms: this user's identity (null: member rooms stay unreadable).
  std::shared_ptr<const Identity> identity;
  // When the engine was given no passphrase and meets a passphrase room while starting: asked
  // once (a prompt). Unset, or failing: passphrase rooms stay unreadable.
  std::function<Result<SecretBytes>()> ask_passphrase;
};

struct RoomContext {
  Transport& transport;   // thread-safe (LockedTransport)
  const EngineConfig& config;
  const WallClock& wall;
  HybridClock& clock;
  Logger& log;
  std::function<void()> wake_sender;  // tells the background sender a record was spooled
  std::function<void()> server_answered;  // a sync worked while uploads were failing
  const LockedTransport* connection = nullptr;  // what the connection is doing (status)
};

}  // namespace ftpchat
