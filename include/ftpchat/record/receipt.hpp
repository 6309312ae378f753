// Receipt payloads, record kind 4 of member rooms (docs/FORMAT.md, "Receipts"): "the signer
// has read every message of these writers up to here". One validation serves both directions,
// so nothing encodes what a reader would reject. No I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ftpchat/core/bytes.hpp"
#include "ftpchat/core/error.hpp"

namespace ftpchat {

constexpr std::size_t kMaxReceiptEntries = 1024;

// The newest message of writer file `writer` that the signer has read: its seq, and its
// stamp and message id as found in that record.
struct ReceiptEntry {
  Id128 writer{};
  std::uint64_t seq = 0;
  std::uint64_t stamp = 0;
  Id128 message_id{};
  bool operator==(const ReceiptEntry&) const = default;
};

// invalid_argument when the entries break a rule (none, over 1024, writers not strictly
// increasing, seq 0).
Result<std::string> encode_receipt_payload(const std::vector<ReceiptEntry>& entries);
// bad_data, naming the rule, for a payload a reader must reject.
Result<std::vector<ReceiptEntry>> decode_receipt_payload(std::string_view payload);

}  // namespace ftpchat
