// verify_room: the reading rules applied to whole writer files, with the counts kept per
// writer instead of being folded into a log.
#include "ftpchat/room/room_verify.hpp"

#include "ftpchat/room/room_layout.hpp"
#include "ftpchat/room/writer_cursor.hpp"

namespace ftpchat {

std::uint64_t VerifyReport::records() const {
  std::uint64_t n = 0;
  for (const WriterReport& w : writers) n += w.records;
  return n;
}

std::uint64_t VerifyReport::rejected() const {
  std::uint64_t n = 0;
  for (const WriterReport& w : writers) n += w.rejected;
  return n;
}

std::uint64_t VerifyReport::missing() const {
  std::uint64_t n = 0;
  for (const WriterReport& w : writers) n += w.missing;
  return n;
}

Result<VerifyReport> verify_room(Transport& transport, const OpenedRoom& room,
                                 const std::string& folder, const VerifyProgress& progress) {
  auto listing = transport.list(folder);
  if (!listing) return listing.error();
  std::uint64_t total = 0, done = 0;
  for (const DirEntry& entry : listing.value())
    if (!entry.is_dir && layout::parse_writer_file(entry.name) && entry.size) total += *entry.size;
  VerifyReport report;
  for (const DirEntry& entry : listing.value()) {
    if (entry.is_dir) continue;
    auto writer = layout::parse_writer_file(entry.name);
    if (!writer) continue;
    auto bytes = transport.read(layout::join(folder, entry.name), 0);
    if (!bytes) return bytes.error();
    WriterCursor cursor(*writer);
    IngestResult got = cursor.ingest(bytes.value(), *room.cipher, room.header.room_id);
    WriterReport w;
    w.file = entry.name;
    w.bytes = bytes->size();
    w.records = got.accepted.size();
    for (const Message& msg : got.accepted)
      if (msg.flags & kFlagZstd) ++w.compressed;
    w.rejected = got.rejected;
    w.duplicates = got.duplicates;
    w.missing = got.missing;
    const auto last_lf = bytes->rfind('\n');
    w.unfinished_bytes = last_lf == std::string::npos ? bytes->size() : bytes->size() - last_lf - 1;
    w.last_seq = cursor.last_seq();
    report.writers.push_back(std::move(w));
    done += bytes->size();
    if (progress) progress(done, std::max(total, done));
  }
  return report;
}

}  // namespace ftpchat
