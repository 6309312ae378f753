// Room, receipts of member rooms (docs/FORMAT.md, "Receipts"; -o receipts). Rules:
//  1. owed = for each writer of others, the newest message seen (room/seen_tracker.hpp) when it
//     is above what this identity already receipted (read back from its own files, any device)
//     and above what this mount spooled; a writer whose newest seen message is no longer among
//     the last kept (RecentMessages) waits until a newer one is seen;
//  2. what is owed rides on the next message (enqueue, room_sender.cpp), in the same append;
//  3. else a receipt alone is spooled once something has been owed for kReceiptGrace (a reply
//     may come), at most every kReceiptEvery: nothing is owed on an idle room, nothing sent;
//  4. only after a successful sync, so that our own earlier receipts are known.
#include "ftpchat/record/receipt.hpp"
#include "ftpchat/room/room.hpp"

namespace ftpchat {

void Room::note_recent(const Message& m) {
  std::lock_guard lock(state_mu_);
  recent_.add(ReceiptEntry{m.writer, m.seq, m.stamp, m.id});
}

std::vector<ReceiptEntry> Room::receipt_owed_locked(std::map<Id128, std::uint64_t> receipted) {
  for (const auto& [writer, seq] : receipt_spooled_) {
    std::uint64_t& mark = receipted[writer];
    mark = std::max(mark, seq);
  }
  std::lock_guard lock(state_mu_);
  return receipt_due(seen_.seen(), receipted, recent_);
}

void Room::note_receipt_spooled_locked(const std::vector<ReceiptEntry>& entries) {
  for (const ReceiptEntry& e : entries) {
    std::uint64_t& mark = receipt_spooled_[e.writer];
    mark = std::max(mark, e.seq);
  }
}

void Room::send_receipt_if_due(std::chrono::steady_clock::time_point now, bool force) {
  if (!receipts_on()) return;
  const std::map<Id128, std::uint64_t> receipted = member_->own_receipt_marks();
  std::vector<ReceiptEntry> owed;
  {
    std::lock_guard out(out_mu_);
    owed = receipt_owed_locked(receipted);
  }
  {
    std::lock_guard lock(receipt_mu_);
    if (owed.empty()) {
      receipt_owed_since_.reset();
      return;
    }
    if (!receipt_owed_since_) receipt_owed_since_ = now;
    if (!force) {
      if (now - *receipt_owed_since_ < kReceiptGrace) return;  // a reply may carry it
      if (last_receipt_alone_.time_since_epoch().count() != 0 &&
          now - last_receipt_alone_ < kReceiptEvery)
        return;
    }
  }
  auto epoch = member_->send_epoch();
  auto payload = encode_receipt_payload(owed);
  if (!epoch || !payload) return;  // removed, or a rekey under way: nothing to say now
  auto queued = enqueue_v2_record(RecordKind::receipt, *epoch, *payload);
  if (!queued) {
    ctx_.log.warning("room " + folder_ + ": cannot queue a receipt: " + describe(queued.error()));
    return;
  }
  {
    std::lock_guard out(out_mu_);
    note_receipt_spooled_locked(owed);
  }
  std::lock_guard lock(receipt_mu_);
  last_receipt_alone_ = now;
  receipt_owed_since_.reset();
}

void Room::keep_receipt_events() {
  if (member_) member_->keep_receipt_events();
}

std::vector<std::string> Room::take_receipt_events() {
  return member_ ? member_->take_receipt_events() : std::vector<std::string>{};
}

}  // namespace ftpchat
