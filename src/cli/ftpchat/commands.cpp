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
#include "ftpchat/identity/public_id.hpp"
#include "ftpchat/room/chat_engine.hpp"
#include "ftpchat/room/room_verify.hpp"
#include "progress.hpp"
#include "room_url.hpp"
#include "session.hpp"

namespace ftpchat {

namespace {

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

int run_init(const std::string& room_url, const CommonOptions& opts, Suite suite,
             const std::vector<std::string>& members, bool member_room) {
  std::vector<GenesisMember> first;
  for (const std::string& m : members) {  // NAME=PUBLIC_ID
    const std::size_t eq = m.find('=');
    if (eq == std::string::npos)
      return fail(kExitUsage, "--member " + m + ": write it as NAME=PUBLIC_ID");
    const std::string name = m.substr(0, eq);
    if (auto valid = validate_member_name(name); !valid)
      return fail(kExitUsage, "--member " + name + ": " + valid.error().detail);
    auto key = parse_public_id(m.substr(eq + 1));
    if (!key) return fail(kExitUsage, "--member " + name + ": " + key.error().detail);
    first.push_back(GenesisMember{*key, Role::member, name});
  }
  member_room |= !first.empty();
  Session s;
  if (int rc = s.open(room_url, opts, member_room ? Session::Passphrase::never
                                                  : Session::Passphrase::ask_now, suite);
      rc != 0)
    return rc;
  auto created = member_room ? s.engine().create_member_room(s.url().room, first)
                             : s.engine().create_room(s.url().room);
  if (!created)
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
  if (opts.receipts) room->keep_receipt_events();
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
    if (opts.receipts) {  // printed is read: receipts for it, and the others'
      for (const std::string& event : room->take_receipt_events())
        if (json && !write_all(event)) return kExitOk;
      room->send_receipt_if_due(std::chrono::steady_clock::now(), !follow);
      (void)room->upload_pending();  // no background sender here; a failure stays spooled
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
  if (room->member()) {  // its keys and member list come from a sync first
    if (int rc = first_sync(*room); rc != 0) return rc;
  }
  {
    Progress progress("verifying room '" + room->name() + "'");
    auto verified = verify_room(s.engine().transport(), room->opened(), room->folder(),
                                [&](std::uint64_t done, std::uint64_t total) {
                                  progress.update(done, total);
                                },
                                room->member());
    if (!verified) return fail(exit_status_for(verified.error().code), describe(verified.error()));
    report = std::move(verified.value());
  }
  std::printf("room '%s' (%s), %s, cipher %s, %zu writer(s)\n", room->name().c_str(),
              room->folder().c_str(), room->member() ? "member room" : "passphrase room",
              suite_name(room->opened().header.suite), report.writers.size());
  for (const WriterReport& w : report.writers) {
    std::printf("%s  %llu records (%llu compressed), %llu rejected, %llu duplicates, %llu missing",
                w.file.c_str(), static_cast<unsigned long long>(w.records),
                static_cast<unsigned long long>(w.compressed),
                static_cast<unsigned long long>(w.rejected),
                static_cast<unsigned long long>(w.duplicates),
                static_cast<unsigned long long>(w.missing));
    if (w.refused)
      std::printf(", %llu refused (written after the signer's removal)",
                  static_cast<unsigned long long>(w.refused));
    if (w.unreadable) std::printf(", %llu unreadable", static_cast<unsigned long long>(w.unreadable));
    if (w.unfinished_bytes) std::printf(", %llu bytes unfinished", static_cast<unsigned long long>(w.unfinished_bytes));
    std::printf("\n");
  }
  const std::string refused =
      report.refused() ? ", " + std::to_string(report.refused()) + " refused after removal" : "";
  std::printf("total: %llu records, %llu rejected, %llu missing%s: %s\n",
              static_cast<unsigned long long>(report.records()),
              static_cast<unsigned long long>(report.rejected()),
              static_cast<unsigned long long>(report.missing()), refused.c_str(),
              report.sound() ? "sound" : "DAMAGED");
  return report.sound() ? kExitOk : kExitFailure;
}

}  // namespace ftpchat
