// Membership as a pure state machine (docs/FORMAT.md, "The fold"): fed the genesis and the
// verified membership records of a room in any order, it computes one member list, the
// established epochs and their recipients, and judges every other record. No I/O, no clock,
// no threads: the same records give the same answers, whatever order they came in.
// Not thread-safe (the room holds a lock); queries recompute the fold when records changed.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ftpchat/identity/genesis.hpp"
#include "ftpchat/identity/membership_record.hpp"
#include "ftpchat/identity/seal.hpp"

namespace ftpchat {

// A verified kind 3 record and who wrote it where.
struct MembershipRecord {
  EpochId epoch{};      // the epoch it creates (its record's epoch)
  PublicKey author{};   // the run's signer
  Id128 writer{};
  std::uint64_t seq = 0;
  std::uint64_t stamp = 0;
  MembershipChange change;
  ChainValue digest{};  // BLAKE2b-256 of the record's plaintext: decides between claims of one epoch
};

struct Member {
  PublicKey key{};
  std::string name;
  Role role = Role::member;
  std::uint64_t since = 0;   // stamp of the genesis or of the invite
  std::size_t devices = 0;   // writer ids with records of theirs
};

enum class Verdict { accepted, no_epoch, not_recipient, removed };
const char* verdict_reason(Verdict verdict);

// One membership record in fold order and what it did.
struct FoldStep {
  EpochId epoch{};
  PublicKey author{};
  std::uint64_t stamp = 0;
  MembershipChange change;
  bool authorized = false;  // its epoch is established
  bool effective = false;   // it changed the member list or a role (or is a rekey)
};

MembershipRecord membership_record_of(const VerifiedRecord& verified, MembershipChange change);

class Membership {
 public:
  Membership(Genesis genesis, const EpochId& epoch0);
  Membership(const Membership&) = delete;  // last_note_ points into notes_
  Membership& operator=(const Membership&) = delete;
  Membership(Membership&&) = default;       // map nodes move with the map
  Membership& operator=(Membership&&) = default;

  // A record (duplicates ignored; for one epoch the smallest digest counts): false if known.
  bool add(MembershipRecord record);
  // An accepted record from `signer` in `writer` up to `seq`: devices seen, and removal cuts.
  void note_writer(const PublicKey& signer, const Id128& writer, std::uint64_t seq);

  const Genesis& genesis() const { return genesis_; }
  const EpochId& epoch0() const { return epoch0_; }
  std::vector<Member> members() const;                    // current members, by key
  std::optional<Member> find(const PublicKey& key) const;  // a current member
  Verdict judge(const PublicKey& signer, const Id128& writer, std::uint64_t seq,
                const EpochId& epoch) const;
  // The name as the log shows it: "alice", or "alice~Kq3v9xYb" when another identity that
  // is or was a member has the same name ("~Kq3v9xYb" for an identity never a member).
  std::string display_name(const PublicKey& key) const;
  // The epoch `self` sends in; nullopt when none is safe (an admin must rekey).
  std::optional<EpochId> send_epoch(const PublicKey& self) const;
  // The latest established epoch does not have the members as recipients.
  bool rekey_needed() const;
  // Established epochs without an established child: the parents of the next change.
  std::vector<EpochId> latest_epochs() const;
  // A change by `author` checked against the current state (clear errors: not a member,
  // already a member, not allowed, the last owner), with its recipients and cut filled in
  // (parents are the caller's: the latest epochs it holds keys for).
  Result<MembershipChange> prepare(const PublicKey& author, Action action, const PublicKey& target,
                                   Role role, std::string_view name) const;
  const std::vector<FoldStep>& steps() const;
  std::size_t waiting() const;  // records whose parents have not arrived
  bool established(const EpochId& epoch) const;

 private:
  struct Removal {
    PublicKey target{};
    std::size_t epoch = 0;  // candidate index of the removal's epoch
    std::map<Id128, std::uint64_t> cut;
  };
  struct State {  // the room after a prefix of the fold
    std::map<PublicKey, Member> members;
    std::map<PublicKey, std::string> names;  // everyone who ever was a member
    std::vector<Removal> removals;
  };
  struct Fold {
    std::vector<const MembershipRecord*> cand;  // candidate index -> record (0: epoch 0, null)
    std::map<EpochId, std::size_t> index;       // epoch -> candidate index (ordered ones)
    std::vector<std::size_t> order;             // candidate indices, epoch 0 first
    std::vector<std::vector<bool>> ancestors;   // ancestors[i][j]: j is an ancestor of i
    std::vector<std::set<PublicKey>> recipients;
    std::vector<std::optional<Role>> seen_role; // the target's role in the record's past
    std::vector<bool> established;
    State state;
    std::vector<FoldStep> steps;
    std::size_t waiting = 0;
  };

  const Fold& fold() const;
  void refold() const;
  void order_records(Fold& f) const;
  State genesis_state() const;
  // Applies candidate k to the state: {authorized, effective}.
  std::pair<bool, bool> apply(const Fold& f, State& s, std::size_t k) const;
  static bool is_cut(const Fold& f, const State& s, const PublicKey& who, const Id128& writer,
                     std::uint64_t seq, std::size_t k);
  std::map<Id128, std::uint64_t> writers_of(const PublicKey& key) const;

  Genesis genesis_;
  EpochId epoch0_{};
  std::map<EpochId, MembershipRecord> records_;
  std::map<PublicKey, std::map<Id128, std::uint64_t>> notes_;  // signer -> writer -> last seq
  std::uint64_t* last_note_ = nullptr;  // notes_' entry noted last (map nodes stay put)
  PublicKey last_signer_{};
  Id128 last_writer_{};
  mutable std::optional<Fold> fold_;  // cleared by add() and note_writer()
};

}  // namespace ftpchat
