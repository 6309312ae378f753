// init, send, read and verify on a room, through the same ChatEngine and Room the mount uses
// (same rooms, same writer ids under $XDG_STATE_HOME/ftpchatfs, same spool).
#include "commands.hpp"

#include <sodium.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/exit_status.hpp"
#include "cli/make_transport.hpp"
#include "cli/passphrase.hpp"
#include "cli/user_paths.hpp"
#include "ftpchat/room/chat_engine.hpp"
#include "ftpchat/room/room_verify.hpp"
#include "progress.hpp"
#include "room_url.hpp"

namespace ftpchat {

namespace {

int fail(int status, const std::string& message) {
  std::fprintf(stderr, "ftpchat: %s\n", message.c_str());
  return status;
}

// Everything between the command line and an open room.
struct Session {
  RoomUrl url;
  WallClock wall;
  Logger log{"ftpchat", LogLevel::warning};
  std::unique_ptr<ChatEngine> engine;

  // 0 when the engine has started; else the exit status (the error is printed).
  int open(const std::string& room_url, const CommonOptions& opts, Suite suite = {}) {
    auto parsed = parse_room_url(room_url);
    if (!parsed) return fail(kExitUsage, describe(parsed.error()));
    url = std::move(parsed.value());
    if (opts.verbose) log.set_level(LogLevel::debug);
    EngineConfig config;
    config.nick = opts.nick.empty() ? user_login_name() : opts.nick;
    if (config.nick.size() > kMaxNickBytes)
      return fail(kExitUsage, "nick is longer than 64 bytes; choose a shorter --nick");
    config.state_dir = user_state_dir();
    config.room_suite = suite;
    config.compress = opts.compress;
    auto passphrase = obtain_passphrase(opts.passfile);
    if (!passphrase) return fail(kExitUsage, passphrase.error().detail);
    TransportOptions transport_opts = opts.transport;
    transport_opts.verbose = opts.verbose;
    auto transport = make_transport(url.base, transport_opts, log);
    if (!transport) return fail(exit_status_for(transport.error().code), describe(transport.error()));
    engine = std::make_unique<ChatEngine>(std::move(transport.value()), std::move(config),
                                          std::move(passphrase.value()), log, wall);
    if (auto started = engine->start(); !started)
      return fail(exit_status_for(started.error().code), describe(started.error()));
    return 0;
  }

  // The room named in the URL, or the exit status in `status`.
  std::shared_ptr<Room> room(int& status) {
    auto entry = engine->find(url.room, std::chrono::milliseconds(0));
    if (!entry) {
      status = fail(kExitRemote, "no room '" + url.room + "' at " + url.base.redacted() +
                                     " (create it with ftpchat init)");
      return nullptr;
    }
    if (!entry->room) {
      status = fail(kExitPassphrase, "room '" + url.room + "' cannot be opened: " +
                                         entry->unreadable_reason);
      return nullptr;
    }
    return entry->room;
  }
};

// The first sync of a big room can take a while: show that something is happening.
int first_sync(Room& room) {
  Progress progress("reading room '" + room.name() + "'");
  progress.tick_in_background();
  if (auto synced = room.sync(); !synced)
    return fail(exit_status_for(synced.error().code), describe(synced.error()));
  return 0;
}

bool write_all(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(STDOUT_FILENO, data.data(), data.size());
    if (n <= 0) return false;  // EPIPE: the reader went away
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

int run_init(const std::string& room_url, const CommonOptions& opts, Suite suite) {
  Session s;
  if (int rc = s.open(room_url, opts, suite); rc != 0) return rc;
  if (auto created = s.engine->create_room(s.url.room); !created)
    return fail(created.error().code == Errc::exists ? kExitFailure
                                                     : exit_status_for(created.error().code),
                describe(created.error()));
  return kExitOk;
}

int run_send(const std::string& room_url, const CommonOptions& opts,
             const std::vector<std::string>& words) {
  std::vector<std::string> bodies;
  if (!words.empty()) {  // like echo: the words joined by spaces are one message
    std::string body;
    for (const std::string& w : words) body += (body.empty() ? "" : " ") + w;
    bodies.push_back(std::move(body));
  } else {
    for (std::string line; std::getline(std::cin, line);)
      if (!line.empty()) bodies.push_back(std::move(line));
  }
  Session s;
  if (int rc = s.open(room_url, opts); rc != 0) return rc;
  int status = 0;
  auto room = s.room(status);
  if (!room) return status;
  if (bodies.empty()) return kExitOk;
  if (auto sent = room->send(bodies); !sent)
    return fail(exit_status_for(sent.error().code),
                describe(sent.error()) + " (kept in the local spool; the next send retries)");
  return kExitOk;
}

int run_read(const std::string& room_url, const CommonOptions& opts, bool follow, bool json,
             std::chrono::milliseconds poll) {
  Session s;
  if (int rc = s.open(room_url, opts); rc != 0) return rc;
  int status = 0;
  auto room = s.room(status);
  if (!room) return status;
  if (int rc = first_sync(*room); rc != 0) return rc;
  std::uint64_t offset = 0;
  std::string last_error;
  for (;;) {
    const std::uint64_t size = json ? room->jsonl_size() : room->log_size();
    while (offset < size) {
      const std::string chunk = json ? room->read_jsonl(offset, 1 << 16)
                                     : room->read_log(offset, 1 << 16);
      if (chunk.empty()) break;
      if (!write_all(chunk)) return kExitOk;
      offset += chunk.size();
    }
    if (!follow) return kExitOk;
    std::this_thread::sleep_for(poll);
    auto synced = room->sync();
    const std::string error = synced ? "" : describe(synced.error());
    if (error != last_error && !error.empty()) fail(0, "sync failed (retrying): " + error);
    last_error = error;
  }
}

int run_verify(const std::string& room_url, const CommonOptions& opts) {
  Session s;
  if (int rc = s.open(room_url, opts); rc != 0) return rc;
  int status = 0;
  auto room = s.room(status);
  if (!room) return status;
  VerifyReport report;
  {
    Progress progress("verifying room '" + room->name() + "'");
    auto verified = verify_room(s.engine->transport(), room->opened(), room->folder(),
                                [&](std::uint64_t done, std::uint64_t total) {
                                  progress.update(done, total);
                                });
    if (!verified) return fail(exit_status_for(verified.error().code), describe(verified.error()));
    report = std::move(verified.value());
  }
  std::printf("room '%s' (%s), cipher %s, %zu writer(s)\n", room->name().c_str(),
              room->folder().c_str(), suite_name(room->opened().header.suite),
              report.writers.size());
  for (const WriterReport& w : report.writers) {
    std::printf("%s  %llu records (%llu compressed), %llu rejected, %llu duplicates, %llu missing",
                w.file.c_str(), static_cast<unsigned long long>(w.records),
                static_cast<unsigned long long>(w.compressed),
                static_cast<unsigned long long>(w.rejected),
                static_cast<unsigned long long>(w.duplicates),
                static_cast<unsigned long long>(w.missing));
    if (w.unfinished_bytes) std::printf(", %llu bytes unfinished", static_cast<unsigned long long>(w.unfinished_bytes));
    std::printf("\n");
  }
  std::printf("total: %llu records, %llu rejected, %llu missing: %s\n",
              static_cast<unsigned long long>(report.records()),
              static_cast<unsigned long long>(report.rejected()),
              static_cast<unsigned long long>(report.missing()),
              report.sound() ? "sound" : "DAMAGED");
  return report.sound() ? kExitOk : kExitFailure;
}

}  // namespace ftpchat
