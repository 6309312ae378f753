// The member-room half of a Room (docs/FORMAT.md, "Version 2"): this mount's identity, the
// room's epoch keys and grants, and its member list (identity/membership.hpp). The Room calls
// it to decode and judge records, to seal what it uploads and to prepare membership changes;
// the network stays with the Room, except for grants (keys/), fetched here.
//
// Locking: mu_ guards the membership and the counters below it; never held across network
// I/O. grants_ and unreadable_ are touched only by the Room's sync (under its net_mu_).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ftpchat/identity/genesis.hpp"
#include "ftpchat/identity/keyring.hpp"
#include "ftpchat/identity/membership.hpp"
#include "ftpchat/outbox/spool.hpp"
#include "ftpchat/record/header.hpp"
#include "ftpchat/room/receipt_book.hpp"
#include "ftpchat/transport/transport.hpp"

namespace ftpchat {

// What one sync's member-room records came to, for counters and notices.
struct MemberTally {
  std::map<Id128, std::uint64_t> rejected;      // by writer id
  std::map<Id128, std::string> reasons;         // by writer id: the last reason
};

// A membership change ready to publish: its grant file goes up first, then its record.
struct PreparedChange {
  EpochKey epoch;
  std::string grant;          // binary
  std::string payload;        // the membership record's payload
};

class MemberRoom {
 public:
  static constexpr std::string_view kKeysFolder = "keys";

  // Opens a member room with `me`: the header's grant, else the grants in keys/ (an identity
  // invited later). not_member when none is for this identity; bad_data when the room is
  // damaged; transport errors as they come.
  static Result<std::unique_ptr<MemberRoom>> open(Transport& transport, const std::string& folder,
                                                  const RoomHeader& header,
                                                  std::shared_ptr<const Identity> me);

  const Genesis& genesis() const { return genesis_; }
  const Identity& me() const { return *me_; }
  const Keyring& keys() const { return keys_; }
  const std::set<EpochId>* unreadable() const { return &unreadable_; }

  // Lists keys/ (when `list`) and reads the grants of `wanted` epochs not held yet, then learns
  // what it can; wanted epochs still without a key are unreadable from now on. Under net_mu_.
  Result<void> sync_grants(Transport& transport, const std::string& folder, bool list,
                           const std::set<EpochId>& wanted);

  // Deferred judging (FreshMerge::Finish): records become entries while a sync reads, and are
  // judged and rendered when it drains, with every membership record of the sync known.
  // A membership record joins the fold at once; false when it is malformed (rejected).
  bool add_membership(const VerifiedRecord& record);
  static std::string message_entry(VerifiedRecord&& record);  // takes the body
  static std::string membership_entry(const VerifiedRecord& record);
  bool finish_entry(std::string& log, std::string& json, MemberTally& tally);
  // A record of this device read back (shown when it was written): counts as accepted.
  void note_own(const VerifiedRecord& record);

  // Receipts (member_receipts.cpp; docs/FORMAT.md, "Receipts"): an entry for the drain, judged
  // there like a message; an accepted one moves its signer's marks and is never shown.
  static std::string receipt_entry(const VerifiedRecord& record);
  // Members other than this identity who have read message `seq` of `writer` (shown names,
  // sorted).
  std::vector<std::string> readers_of(const Id128& writer, std::uint64_t seq) const;
  // What this identity has receipted so far (any of its devices), per writer.
  std::map<Id128, std::uint64_t> own_receipt_marks() const;
  // For `ftpchat read --receipts`: from now on, each accepted receipt that moves its signer's
  // read up to becomes a JSON line, taken by take_receipt_events().
  void keep_receipt_events();
  std::vector<std::string> take_receipt_events();

  // A verified record as the drain would judge it (ftpchat verify): messages and unknown kinds
  // by signer, epoch and cuts, membership records by whether the fold authorized them.
  Verdict judge(const VerifiedRecord& record) const;

  // Sending: the epoch to send in now; not_member when removed, busy while no epoch is safe.
  Result<EpochId> send_epoch() const;
  Result<std::string> encode(RecordKind kind, const EpochId& epoch, const Id128& writer,
                             std::uint64_t seq, std::uint64_t stamp, std::string_view payload) const;
  // The lines to append for pending records: their spooled lines, but the last one and one
  // at least every kMaxRunRecords records and kMaxRunLineBytes bytes encrypted again with a
  // seal, continuing `chain` (the file's, as this writer last sealed or read it) when it ends
  // right before them; `chain` is updated.
  Result<std::vector<std::string>> sealed_lines(const Id128& writer,
                                                const std::vector<SpooledRecord>& pending,
                                                std::optional<ChainPoint>& chain) const;
  std::string own_name() const;
  std::string display_name(const PublicKey& key) const;

  // Membership changes. `who` is a shown name ("alice", "alice~Kq3v9xYb") or a public id.
  Result<PublicKey> resolve_member(std::string_view who) const;
  Result<PreparedChange> prepare(Action action, const PublicKey& target, Role role,
                                 std::string_view name) const;
  void add_key(EpochKey key) { keys_.add(std::move(key)); }
  // An owner or admin should write a rekey record (FORMAT.md, "The epoch to send in").
  bool should_rekey() const;

  // ROOM/members, and status lines ("key: value"). `with_receipts` adds each member's read up
  // to (time of the message and its id, or "- -").
  std::string members_text(bool with_receipts = false) const;
  std::string status_text() const;

 private:
  MemberRoom(std::shared_ptr<const Identity> me, const Id128& room_id)
      : me_(std::move(me)), room_id_(room_id) {}

  std::shared_ptr<const Identity> me_;
  Id128 room_id_{};
  Genesis genesis_;
  Keyring keys_;
  std::map<EpochId, Grant> grants_;  // net_mu_
  std::set<std::string> grant_files_seen_;  // net_mu_
  std::set<EpochId> unreadable_;     // net_mu_

  mutable std::mutex mu_;
  std::optional<Membership> membership_;  // set by open(); mu_
  std::set<EpochId> noticed_;        // membership records shown as notices; mu_
  struct Shown {
    std::string name;       // as the log shows it
    std::string public_id;
  };
  std::map<PublicKey, Shown> shown_;  // signers' renderings, cleared when the fold changes; mu_
  static constexpr char kReceiptEntry = 'R';  // the drain entry of a receipt
  // The rest of a receipt entry (after its kind byte), judged; requires mu_.
  bool finish_receipt(std::string_view entry, MemberTally& tally);
  ReceiptBook receipts_;                  // mu_
  bool keep_receipt_events_ = false;      // mu_
  std::vector<std::string> receipt_events_;  // mu_
};

}  // namespace ftpchat
