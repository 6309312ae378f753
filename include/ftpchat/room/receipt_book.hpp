// What the receipts of a member room say (docs/FORMAT.md, "Receipts"): per member (identity)
// and writer file, the newest message that member has read. Only forward, whatever the order
// of arrival or the device. Also what this client is about to receipt: the newest message of
// each writer it has seen, looked up among the messages it keeps (RecentMessages). Pure: no
// I/O, no clock, no lock (the Room guards it).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "ftpchat/identity/identity.hpp"
#include "ftpchat/record/receipt.hpp"

namespace ftpchat {

class ReceiptBook {
 public:
  // The entries of an accepted receipt by `signer`. True when a mark moved.
  bool add(const PublicKey& signer, const std::vector<ReceiptEntry>& entries);

  // The newest message `signer` has read (highest stamp, then writer id), if any.
  std::optional<ReceiptEntry> read_up_to(const PublicKey& signer) const;
  // The highest seq of writer `writer` that `signer` has receipted (0: none).
  std::uint64_t mark(const PublicKey& signer, const Id128& writer) const;
  // Every writer's mark of `signer`.
  std::map<Id128, std::uint64_t> marks_of(const PublicKey& signer) const;
  // Members other than `except` who have read message `seq` of writer `writer`.
  std::vector<PublicKey> readers_of(const Id128& writer, std::uint64_t seq,
                                    const PublicKey& except) const;
  bool empty() const { return marks_.empty(); }

 private:
  std::map<PublicKey, std::map<Id128, ReceiptEntry>> marks_;
};

// The last messages of each writer as they reached the log (seq, stamp, id), so that a receipt
// can name the newest one seen. A bounded number per writer: a mark older than that waits
// until something newer of that writer is seen.
class RecentMessages {
 public:
  static constexpr std::size_t kPerWriter = 64;
  void add(const ReceiptEntry& message);
  std::optional<ReceiptEntry> find(const Id128& writer, std::uint64_t seq) const;

 private:
  std::map<Id128, std::deque<ReceiptEntry>> by_writer_;
};

// The receipt this client owes: for each writer in `seen` (writer -> highest seq seen) that is
// not its own and above what it already receipted (`sent`, e.g. the book's marks for its own
// identity), the newest message seen, when `recent` still knows it. Sorted by writer, at most
// kMaxReceiptEntries; empty when nothing is owed.
std::vector<ReceiptEntry> receipt_due(const std::map<Id128, std::uint64_t>& seen,
                                      const std::map<Id128, std::uint64_t>& sent,
                                      const RecentMessages& recent);

}  // namespace ftpchat
