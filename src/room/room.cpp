// Room: incremental fetch of writer files, ordering of new messages, and sending.
#include "ftpchat/room/room.hpp"

#include <algorithm>

#include "ftpchat/record/render.hpp"
#include "ftpchat/room/room_layout.hpp"

namespace ftpchat {

Room::Room(OpenedRoom opened, std::string folder, RoomContext ctx)
    : opened_(std::move(opened)), folder_(std::move(folder)), ctx_(ctx) {}

std::uint64_t Room::log_size() const {
  std::lock_guard lock(state_mu_);
  return log_.size();
}

std::string Room::read_log(std::uint64_t offset, std::size_t length) const {
  std::lock_guard lock(state_mu_);
  return log_.read(offset, length);
}

RoomCounters Room::counters() const {
  std::lock_guard lock(state_mu_);
  return counters_;
}

void Room::record_error(const Error& err) {
  std::lock_guard lock(state_mu_);
  counters_.last_error = describe(err);
}

std::string Room::writer_path(const Id128& writer) const {
  return layout::join(folder_, layout::writer_file(writer));
}

Result<void> Room::sync() {
  std::lock_guard lock(net_mu_);
  return sync_locked();
}

// One poll of the room:
//  1. one listing gives every writer file's size;
//  2. only bytes past each cursor are fetched (REST + RETR);
//  3. the new messages of all writers are ordered by (stamp, writer id) and appended to
//     the log; each writer's own order is kept because its stamps only grow.
Result<void> Room::sync_locked() {
  auto listing = ctx_.transport.list(folder_);
  if (!listing) {
    record_error(listing.error());
    return listing.error();
  }
  std::vector<Message> fresh;
  IngestResult totals;
  std::uint64_t fetched = 0;
  std::optional<Error> first_error;
  for (const DirEntry& entry : listing.value()) {
    if (entry.is_dir) continue;
    auto writer = layout::parse_writer_file(entry.name);
    if (!writer) continue;
    auto [it, _] = cursors_.try_emplace(entry.name, *writer);
    WriterCursor& cursor = it->second;
    if (entry.size) {
      if (*entry.size == cursor.offset()) continue;
      if (*entry.size < cursor.offset()) {
        ctx_.log.warning("room " + folder_ + ": writer file " + entry.name + " shrank from " +
                         std::to_string(cursor.offset()) + " to " + std::to_string(*entry.size) +
                         " bytes; ignoring it until it grows again");
        continue;
      }
    }
    auto bytes = ctx_.transport.read(layout::join(folder_, entry.name), cursor.offset());
    if (!bytes) {
      if (!first_error) first_error = bytes.error();
      continue;
    }
    fetched += bytes->size();
    IngestResult got = cursor.ingest(bytes.value(), *opened_.cipher, opened_.header.room_id);
    totals.rejected += got.rejected;
    totals.duplicates += got.duplicates;
    totals.missing += got.missing;
    const bool own_file = own_ && own_->id() == *writer;
    for (Message& msg : got.accepted) {
      ctx_.clock.observe(msg.stamp);
      if (own_file && msg.seq <= echoed_seq_) continue;  // rendered when we sent it
      fresh.push_back(std::move(msg));
    }
  }
  std::stable_sort(fresh.begin(), fresh.end(), [](const Message& a, const Message& b) {
    return a.stamp != b.stamp ? a.stamp < b.stamp : a.writer < b.writer;
  });
  if (totals.rejected > 0)
    ctx_.log.warning("room " + folder_ + ": skipped " + std::to_string(totals.rejected) +
                     " record(s) that failed to decode or authenticate");
  if (totals.missing > 0)
    ctx_.log.warning("room " + folder_ + ": " + std::to_string(totals.missing) +
                     " message(s) missing from a writer's sequence");
  std::string rendered;
  for (const Message& msg : fresh) rendered += render_message(msg);
  synced_once_ = true;
  std::lock_guard lock(state_mu_);
  log_.append(rendered);
  counters_.received += fresh.size();
  counters_.rejected += totals.rejected;
  counters_.duplicates += totals.duplicates;
  counters_.missing += totals.missing;
  counters_.bytes_fetched += fetched;
  if (first_error) {
    counters_.last_error = describe(*first_error);
    return *first_error;
  }
  counters_.last_sync_ms = ctx_.wall.now_ms();
  counters_.last_error.clear();
  return {};
}

Result<void> Room::ensure_writer_locked() {
  if (!own_) {
    auto identity = WriterIdentity::acquire(ctx_.config.state_dir / "rooms" / folder_);
    if (!identity) return identity.error();
    own_.emplace(std::move(identity.value()));
    ctx_.log.info("room " + folder_ + ": writing as " + to_hex(own_->id()));
  }
  // Our file's last sequence number comes from the server: read it before the first send,
  // and again after a failed append whose outcome is unknown.
  if (!synced_once_ || own_file_uncertain_) {
    if (auto synced = sync_locked(); !synced) return synced;
    own_file_uncertain_ = false;
  }
  return {};
}

Result<void> Room::send(const std::vector<std::string>& bodies) {
  if (bodies.empty()) return {};
  for (const std::string& body : bodies)
    if (body.size() > kMaxBodyBytes)
      return make_error(Errc::too_large, "message of " + std::to_string(body.size()) +
                                             " bytes is over the limit of " +
                                             std::to_string(kMaxBodyBytes) + " bytes");
  std::lock_guard lock(net_mu_);
  if (auto ready = ensure_writer_locked(); !ready) return ready;

  const std::string file = layout::writer_file(own_->id());
  auto cursor = cursors_.find(file);
  std::uint64_t seq = std::max(echoed_seq_, cursor == cursors_.end() ? 0 : cursor->second.last_seq());
  std::vector<Message> messages;
  std::vector<std::string> lines;
  for (const std::string& body : bodies) {
    Message msg;
    msg.id = random_id();
    msg.writer = own_->id();
    msg.seq = ++seq;
    msg.stamp = ctx_.clock.tick();
    msg.nick = ctx_.config.nick;
    msg.body = body;
    auto line = encode_record(*opened_.cipher, opened_.header.room_id, msg);
    if (!line) return line.error();
    lines.push_back(std::move(line.value()));
    messages.push_back(std::move(msg));
  }
  if (auto appended = ctx_.transport.append(writer_path(own_->id()), frame_records(lines));
      !appended) {
    own_file_uncertain_ = true;
    record_error(appended.error());
    return appended;
  }
  echoed_seq_ = seq;
  std::string rendered;
  for (const Message& msg : messages) rendered += render_message(msg);
  std::lock_guard state(state_mu_);
  log_.append(rendered);
  counters_.sent += messages.size();
  return {};
}

}  // namespace ftpchat
