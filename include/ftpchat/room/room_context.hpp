// What every room of a mount shares: the connection, identity, clocks and log.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "ftpchat/core/clock.hpp"
#include "ftpchat/core/logger.hpp"
#include "ftpchat/transport/transport.hpp"

namespace ftpchat {

struct EngineConfig {
  std::string nick;                           // sender name shown to others
  std::chrono::milliseconds poll{1000};       // background poll interval
  std::filesystem::path state_dir;            // $XDG_STATE_HOME/ftpchatfs
};

struct RoomContext {
  Transport& transport;   // thread-safe (LockedTransport)
  const EngineConfig& config;
  const WallClock& wall;
  HybridClock& clock;
  Logger& log;
};

}  // namespace ftpchat
