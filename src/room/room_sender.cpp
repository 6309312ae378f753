// Room, sending side: the spool with group commit, local echo, and idempotent uploads.
// Rules:
//  1. a message is encoded once (id, seq, stamp) and written to the spool file before the
//     write returns (no fdatasync there); the same bytes are uploaded however often it takes;
//  2. seq = max(spool's last assigned, server's last seq in our files) + 1;
//  3. every pending record of the room goes up in one append;
//  4. after a failed append (outcome unknown) our own file is re-read first: what landed is
//     acknowledged, only the rest is sent again. Readers drop seq <= last seen anyway;
//  5. nothing reaches the server before it is durable in the spool: one fdatasync per batch,
//     before its append. Else a power loss could erase from the spool a seq the server
//     holds, rule 2 would give it out again, and every reader would drop that message;
//  6. what the server has counts at once, even when the acked file cannot be written (a full
//     disk): nothing is uploaded twice because of our own bookkeeping. The failure shows in
//     ROOM/status and the write is retried until it works (outbox/spool.hpp);
//  7. an acknowledged append is not downloaded back: our cursor takes its bytes
//     (room_own_file.cpp), and only what we cannot vouch for is read.
#include <filesystem>

#include "ftpchat/identity/public_id.hpp"
#include "ftpchat/record/receipt.hpp"
#include "ftpchat/record/render.hpp"
#include "ftpchat/record/render_json.hpp"
#include "ftpchat/room/room.hpp"
#include "ftpchat/room/room_layout.hpp"

namespace ftpchat {

namespace fs = std::filesystem;

namespace {
bool dir_has_pending_spool(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("spool-") || name.size() != 6 + 32) continue;
    if (auto id = id_from_hex(std::string_view(name).substr(6)); id && Spool::has_pending(dir, *id))
      return true;
  }
  return false;
}
}  // namespace

// Takes a writer id and opens its spool. With create=false this only happens when an earlier
// session left records behind (so rooms we never write to get no writer id).
Result<void> Room::ensure_outbox_locked(bool create) {
  if (spool_) return {};
  const fs::path dir = ctx_.config.state_dir / "rooms" / folder_;
  if (!create && outbox_checked_) return {};
  outbox_checked_ = true;
  if (!create && !dir_has_pending_spool(dir)) return {};
  auto identity =
      WriterIdentity::acquire(dir, [&](const Id128& id) { return Spool::has_pending(dir, id); });
  if (!identity) return identity.error();
  auto spool = Spool::open(dir, identity->id());
  if (!spool) return spool.error();
  if (spool->torn_bytes_dropped() > 0)
    ctx_.log.warning("room " + folder_ + ": dropped the torn end of the outbox spool (" +
                     std::to_string(spool->torn_bytes_dropped()) +
                     " bytes, a write cut short by a crash before it was acknowledged)");
  seq_from_server_ = spool->fresh() && !identity->created();
  must_verify_ = spool->pending_count() > 0;
  if (must_verify_)
    ctx_.log.info("room " + folder_ + ": " + std::to_string(spool->pending_count()) +
                  " message(s) queued from an earlier session are being sent");
  ctx_.log.info("room " + folder_ + ": writing as " + to_hex(identity->id()));
  {
    std::lock_guard state(state_mu_);
    seen_.add_own(identity->id());  // our messages are never unread
  }
  own_.emplace(std::move(identity.value()));
  spool_.emplace(std::move(spool.value()));
  return {};
}

// Called by sync with the highest seq found in our own file on the server.
void Room::note_own_progress(std::uint64_t server_seq) {
  std::lock_guard lock(out_mu_);
  own_server_seq_ = std::max(own_server_seq_, server_seq);
  seq_from_server_ = false;
  must_verify_ = false;
  if (!spool_) return;
  const std::uint64_t before = spool_->acked();
  auto acked = spool_->mark_acked(server_seq);
  note_local_result_locked(acked ? std::nullopt : std::optional<Error>(acked.error()));
  if (spool_->acked() > before) {  // landed through an append whose answer was lost
    std::lock_guard state(state_mu_);
    counters_.sent += spool_->acked() - before;
  }
  out_cv_.notify_all();
}

bool Room::has_outbox_work() const {
  std::lock_guard lock(out_mu_);
  return !outbox_checked_ || spool_refused_ ||
         (spool_ && (spool_->pending_count() > 0 || spool_->ack_file_behind()));
}

// After a refused append, the local error stays in ROOM/status until the disk has room again
// (or the next append works): checked whenever the sender comes by.
void Room::check_spool_space_locked() {
  if (!spool_refused_) return;
  const fs::path dir = ctx_.config.state_dir / "rooms" / folder_;
  if (!Spool::has_free_space(dir, kSpaceToClear)) return;
  spool_refused_ = false;
  note_local_result_locked(std::nullopt);
}

void Room::retry_ack_file_locked() {
  Spool::AckPoint ack;
  {
    std::lock_guard lock(out_mu_);
    if (!spool_ || !spool_->ack_file_behind()) return;
    ack = spool_->begin_ack(spool_->acked());
  }
  auto written = ack.run();
  std::lock_guard lock(out_mu_);
  auto done = spool_->end_ack(ack, written);
  note_local_result_locked(done ? std::nullopt : std::optional<Error>(done.error()));
}

Result<std::uint64_t> Room::enqueue(const std::vector<std::string>& bodies) {
  for (const std::string& body : bodies)
    if (body.size() > kMaxBodyBytes) {
      ctx_.log.warning("room " + folder_ + ": refused a message of " + std::to_string(body.size()) +
                       " bytes (the limit is " + std::to_string(kMaxBodyBytes) + ")");
      return make_error(Errc::too_large, "message of " + std::to_string(body.size()) +
                                             " bytes is over the limit of " +
                                             std::to_string(kMaxBodyBytes) + " bytes");
    }
  {
    std::lock_guard state(state_mu_);
    if (!counters_.read_only_reason.empty())
      return make_error(Errc::permission, "room is read-only: " + counters_.read_only_reason);
  }
  bool ask_server = false;
  {
    std::lock_guard lock(out_mu_);
    if (auto ready = ensure_outbox_locked(true); !ready) {
      if (ready.error().code == Errc::no_space || ready.error().code == Errc::io) {
        spool_refused_ = true;
        note_local_result_locked(ready.error());
      }
      return ready.error();
    }
  }
  // The first message of a mount goes below the history already on the server: one try,
  // and only if no sync is running (never wait behind a hung server here). The writer id is
  // known by then, so that sync learns where our own file ends (room_own_file.cpp).
  if (!tried_sync_before_send_.exchange(true)) {
    std::unique_lock net(net_mu_, std::try_to_lock);
    if (net.owns_lock()) (void)sync_locked();
  }
  {
    std::lock_guard lock(out_mu_);
    ask_server = seq_from_server_;
  }
  if (ask_server) {  // an id used before spools existed: its last seq is only on the server
    if (auto synced = sync(); !synced) return synced.error();
  }
  std::optional<EpochId> epoch;  // member rooms: the epoch to send in, and who we are there
  std::string own_name, own_id;
  if (member_) {
    auto chosen = member_->send_epoch();
    if (!chosen) return chosen.error();
    epoch = *chosen;
    own_name = member_->own_name();
    own_id = format_public_id(member_->me().public_key());
  }
  std::map<Id128, std::uint64_t> receipted;  // receipts: what this identity already said
  if (receipts_on()) receipted = member_->own_receipt_marks();
  std::lock_guard lock(out_mu_);
  std::uint64_t seq = std::max(spool_->last_assigned(), own_server_seq_);
  std::vector<SpooledRecord> records;
  std::string rendered, json;
  for (const std::string& body : bodies) {
    Message msg;
    msg.id = random_id();
    msg.writer = own_->id();
    msg.seq = ++seq;
    msg.stamp = ctx_.clock.tick();
    msg.nick = member_ ? own_name : ctx_.config.nick;
    msg.signer_id = own_id;
    msg.body = body;
    const EncodeOptions options{.compress = ctx_.config.compress};
    Result<std::string> line = make_error(Errc::internal, "");
    if (member_) {
      auto payload = v2_message_payload(msg, options);
      if (!payload) return payload.error();
      line = member_->encode(RecordKind::message, *epoch, msg.writer, msg.seq, msg.stamp, *payload);
    } else {
      line = encode_record(*opened_.cipher, opened_.header.room_id, msg, options);
    }
    if (!line) return line.error();
    records.push_back(SpooledRecord{msg.seq, std::move(line.value())});
    rendered += render_message(msg);
    json += render_json(msg);
  }
  // What was read rides on this append (room_receipts.cpp, rule 2).
  std::vector<ReceiptEntry> receipt;
  if (receipts_on()) {
    receipt = receipt_owed_locked(receipted);
    if (auto payload = encode_receipt_payload(receipt); payload && !receipt.empty()) {
      auto line = member_->encode(RecordKind::receipt, *epoch, own_->id(), seq + 1,
                                  ctx_.clock.tick(), *payload);
      if (!line) return line.error();
      records.push_back(SpooledRecord{++seq, std::move(*line)});
    } else {
      receipt.clear();
    }
  }
  if (auto spooled = spool_->append(records); !spooled) {
    spool_refused_ = true;  // logged once by note_local_result, not once per write
    note_local_result_locked(spooled.error());
    return spooled.error();
  }
  spool_refused_ = false;
  note_local_result_locked(std::nullopt);
  for (std::size_t i = 0; i < bodies.size(); ++i) echoed_.insert(records[i].seq);  // not a receipt
  note_receipt_spooled_locked(receipt);
  {
    std::lock_guard state(state_mu_);
    log_.append(rendered);
    jsonl_.append(json);
    note_sent_locked(records, bodies);
  }
  if (ctx_.wake_sender) ctx_.wake_sender();
  return seq;
}

Result<void> Room::upload_pending() {
  std::lock_guard net(net_mu_);
  bool verify = false;
  {
    std::lock_guard lock(out_mu_);
    if (auto ready = ensure_outbox_locked(false); !ready) return ready;
    if (!spool_) {
      check_spool_space_locked();  // a refused first message left no spool
      return {};
    }
    verify = must_verify_;
  }
  retry_ack_file_locked();  // rule 6
  {
    std::lock_guard lock(out_mu_);
    check_spool_space_locked();
    if (spool_->pending_count() == 0) return {};
  }
  if (own_file_uncertain_ || verify) {
    if (auto synced = sync_locked(); !synced) {
      note_send_result(synced.error());
      out_cv_.notify_all();
      return synced;
    }
    own_file_uncertain_ = false;
  }
  std::vector<SpooledRecord> pending;
  Id128 writer{};
  bool new_writer = false;
  {
    std::lock_guard lock(out_mu_);
    pending = spool_->pending();
    writer = own_->id();
    new_writer = own_->created();
  }
  if (pending.empty()) return {};
  if (auto durable = make_spool_durable(); !durable) {  // rule 5: covers all of `pending`
    {
      std::lock_guard lock(out_mu_);
      note_local_result_locked(durable.error());
    }
    out_cv_.notify_all();
    return durable;
  }
  std::vector<std::string> lines;
  lines.reserve(pending.size());
  for (const SpooledRecord& r : pending) lines.push_back(r.line);
  const std::string path = writer_path(writer);
  const std::string in_room = path.substr(folder_.size() + 1);  // as cursors_ names it
  std::optional<ChainPoint> chain;
  if (member_) {  // the upload ends with a sealed record (FORMAT.md, "Chains and seals")
    if (auto known = own_chains_.find(in_room); known != own_chains_.end())
      chain = known->second;
    else if (auto read = cursors_.find(in_room); read != cursors_.end())
      chain = read->second.chain();
    auto sealed = member_->sealed_lines(writer, pending, chain);
    if (!sealed) {
      note_send_result(sealed.error());
      out_cv_.notify_all();
      return sealed.error();
    }
    lines = std::move(*sealed);
  }
  const std::string bytes = frame_records(lines);
  if (auto appended = ctx_.transport.append(path, bytes); !appended) {
    own_chains_.erase(in_room);  // landed or not: learned again from the file
    own_known_end_.erase(in_room);
    own_append_failed_ = true;
    own_file_uncertain_ = true;
    note_send_result(appended.error());
    out_cv_.notify_all();
    return appended;
  }
  note_send_result(std::nullopt);
  if (chain) own_chains_[in_room] = *chain;
  take_own_append_locked(in_room, writer, bytes, new_writer);  // never downloaded back (room_own_file.cpp)
  Spool::AckPoint ack;
  {
    std::lock_guard lock(out_mu_);
    ack = spool_->begin_ack(pending.back().seq);  // rule 6: counts now, whatever the disk says
  }
  auto written = ack.run();  // the acked file, without out_mu_: writes go on meanwhile
  {
    std::lock_guard lock(out_mu_);
    auto acked = spool_->end_ack(ack, written);
    note_local_result_locked(acked ? std::nullopt : std::optional<Error>(acked.error()));
    std::lock_guard state(state_mu_);
    counters_.sent += pending.size();
  }
  out_cv_.notify_all();
  return {};
}

Result<void> Room::make_spool_durable() {
  std::optional<Spool::SyncPoint> point;
  {
    std::lock_guard lock(out_mu_);
    if (!spool_) return {};
    auto begun = spool_->begin_sync();
    if (!begun) return begun.error();
    point = std::move(begun.value());
  }
  if (!point) return {};
  if (auto synced = point->run(); !synced) return synced;
  std::lock_guard lock(out_mu_);
  spool_->end_sync(*point);
  return {};
}

Result<void> Room::send(const std::vector<std::string>& bodies) {
  if (bodies.empty()) return {};
  auto queued = enqueue(bodies);
  if (!queued) return queued.error();
  if (auto durable = make_spool_durable(); !durable) return durable;  // kept even if offline
  return upload_pending();
}

void Room::report_unsent_line(const Error& why) {
  append_notice("a last line written to outbox without a final newline could not be queued (" +
                describe(why) + "); it was NOT sent: write it again");
  if (why.code == Errc::no_space || why.code == Errc::io) {
    std::lock_guard lock(out_mu_);
    note_local_result_locked(why);
  }
}

Result<void> Room::wait_uploaded(std::uint64_t seq, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(out_mu_);
  const auto done = [&] { return !spool_ || spool_->acked() >= seq; };
  if (out_cv_.wait_until(lock, deadline, done)) return {};
  std::string why;
  {
    std::lock_guard state(state_mu_);
    why = counters_.last_error().empty() ? "no answer yet" : counters_.last_error();
  }
  return make_error(Errc::timeout,
                    "the server did not confirm the message(s) within " +
                        std::to_string(timeout.count() / 1000) + " s (" + why +
                        "); they stay queued and are sent later");
}

}  // namespace ftpchat
