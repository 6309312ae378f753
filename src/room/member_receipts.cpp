// MemberRoom, receipts (docs/FORMAT.md, "Receipts"): a verified receipt waits for the drain like
// a message, is judged there by the same rule (signer in the epoch's recipients, not cut), and
// when accepted moves its signer's marks in the ReceiptBook; it is never shown.
#include <algorithm>

#include "ftpchat/core/clock.hpp"
#include "ftpchat/core/wire.hpp"
#include "ftpchat/identity/public_id.hpp"
#include "ftpchat/record/render_json.hpp"
#include "ftpchat/room/member_room.hpp"

namespace ftpchat {

std::string MemberRoom::receipt_entry(const VerifiedRecord& v) {
  const Message& m = v.record.message;
  std::string out(1, kReceiptEntry);
  put_bytes(out, v.signer);
  put_bytes(out, v.record.epoch);
  put_bytes(out, m.writer);
  put_u64(out, m.seq);
  put_u64(out, m.stamp);
  out += v.record.payload;
  return out;
}

bool MemberRoom::finish_receipt(std::string_view entry, MemberTally& tally) {
  WireReader in(entry);
  const PublicKey signer = *in.array<32>();
  const EpochId epoch = *in.array<16>();
  const Id128 writer = *in.array<16>();
  const std::uint64_t seq = *in.u64();
  const std::uint64_t stamp = *in.u64();
  const Verdict verdict = membership_->judge(signer, writer, seq, epoch);
  if (verdict != Verdict::accepted) {
    ++tally.rejected[writer];
    tally.reasons[writer] = verdict_reason(verdict);
    return false;
  }
  auto entries = decode_receipt_payload(in.rest());
  if (!entries) {
    ++tally.rejected[writer];
    tally.reasons[writer] = "a malformed receipt";
    return false;
  }
  membership_->note_writer(signer, writer, seq);
  if (receipts_.add(signer, *entries) && keep_receipt_events_) {
    const auto read = receipts_.read_up_to(signer);
    receipt_events_.push_back(
        "{\"receipt\":{\"time\":\"" + rfc3339_utc_ms(HybridClock::millis(stamp)) +
        "\",\"from\":" + json_string(membership_->display_name(signer)) + ",\"signer\":\"" +
        format_public_id(signer) + "\",\"read_up_to\":{\"id\":\"" + to_hex(read->message_id) +
        "\",\"time\":\"" + rfc3339_utc_ms(HybridClock::millis(read->stamp)) + "\"}}}\n");
  }
  return false;  // never shown
}

std::vector<std::string> MemberRoom::readers_of(const Id128& writer, std::uint64_t seq) const {
  std::lock_guard lock(mu_);
  std::vector<std::string> names;
  for (const PublicKey& k : receipts_.readers_of(writer, seq, me_->public_key()))
    names.push_back(membership_->display_name(k));
  std::sort(names.begin(), names.end());
  return names;
}

std::map<Id128, std::uint64_t> MemberRoom::own_receipt_marks() const {
  std::lock_guard lock(mu_);
  return receipts_.marks_of(me_->public_key());
}

void MemberRoom::keep_receipt_events() {
  std::lock_guard lock(mu_);
  keep_receipt_events_ = true;
}

std::vector<std::string> MemberRoom::take_receipt_events() {
  std::lock_guard lock(mu_);
  return std::exchange(receipt_events_, {});
}

}  // namespace ftpchat
