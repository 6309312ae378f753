// Receipt payloads (see include/ftpchat/record/receipt.hpp).
#include "ftpchat/record/receipt.hpp"

#include <algorithm>

#include "ftpchat/core/wire.hpp"

namespace ftpchat {

namespace {
constexpr std::size_t kEntryBytes = 16 + 8 + 8 + 16;

Result<void> check(const std::vector<ReceiptEntry>& entries, Errc code) {
  const auto fail = [&](const char* why) {
    return make_error(code, std::string("receipt: ") + why);
  };
  if (entries.empty() || entries.size() > kMaxReceiptEntries) return fail("1 to 1024 entries");
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].seq == 0) return fail("an entry with seq 0");
    if (i > 0 && !(entries[i - 1].writer < entries[i].writer))
      return fail("writers not in strictly increasing order");
  }
  return {};
}
}  // namespace

Result<std::string> encode_receipt_payload(const std::vector<ReceiptEntry>& entries) {
  if (auto valid = check(entries, Errc::invalid_argument); !valid) return valid.error();
  std::string out;
  out.reserve(2 + entries.size() * kEntryBytes);
  put_u16(out, static_cast<std::uint16_t>(entries.size()));
  for (const ReceiptEntry& e : entries) {
    put_bytes(out, e.writer);
    put_u64(out, e.seq);
    put_u64(out, e.stamp);
    put_bytes(out, e.message_id);
  }
  return out;
}

Result<std::vector<ReceiptEntry>> decode_receipt_payload(std::string_view payload) {
  WireReader in(payload);
  const auto count = in.u16();
  if (!count) return make_error(Errc::bad_data, "receipt: cut short");
  if (in.remaining() != static_cast<std::size_t>(*count) * kEntryBytes)
    return make_error(Errc::bad_data, in.remaining() < *count * kEntryBytes
                                          ? "receipt: cut short"
                                          : "receipt: bytes after the last entry");
  std::vector<ReceiptEntry> entries(*count);
  for (ReceiptEntry& e : entries) {
    e.writer = *in.array<16>();
    e.seq = *in.u64();
    e.stamp = *in.u64();
    e.message_id = *in.array<16>();
  }
  if (auto valid = check(entries, Errc::bad_data); !valid) return valid.error();
  return entries;
}

}  // namespace ftpchat
