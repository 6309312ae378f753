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
#include "ftpchat/room/ciphertext_cache.hpp"
#include "ftpchat/room/connection_pool.hpp"
#include "ftpchat/room/header_cache.hpp"
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
  // Connections to the server at most (-o connections=N): one for sends, the rest for polls
  // and reads (room/connection_pool.hpp). Used when the engine is given a way to make more.
  std::size_t connections = 4;
  // Member rooms: this user's identity (null: member rooms stay unreadable).
  std::shared_ptr<const Identity> identity;
  // When the engine was given no passphrase and meets a passphrase room while starting: asked
  // once (a prompt). Unset, or failing: passphrase rooms stay unreadable.
  std::function<Result<SecretBytes>()> ask_passphrase;
};

struct RoomContext {
  Transport& transport;   // thread-safe (the ConnectionPool, maybe through the cache)
  const EngineConfig& config;
  const WallClock& wall;
  HybridClock& clock;
  Logger& log;
  std::function<void()> wake_sender;  // tells the background sender a record was spooled
  std::function<void()> server_answered;  // a sync worked while uploads were failing
  const ConnectionPool* connection = nullptr;  // what the connections are doing (status)
  CachingTransport* cache = nullptr;  // the ciphertext cache `transport` reads through, if any
  const HeaderCache* headers = nullptr;  // the rooms' headers kept locally, if any
};

}  // namespace ftpchat
