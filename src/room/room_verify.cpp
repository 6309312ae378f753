// verify_room: the reading rules applied to whole writer files, with the counts kept per
// writer instead of being folded into a log.
#include "ftpchat/room/room_verify.hpp"

#include <algorithm>
#include <map>

#include "ftpchat/room/room_layout.hpp"
#include "ftpchat/room/writer_cursor.hpp"

namespace ftpchat {

namespace {

std::uint64_t sum(const std::vector<WriterReport>& writers, std::uint64_t WriterReport::*field) {
  std::uint64_t n = 0;
  for (const WriterReport& w : writers) n += w.*field;
  return n;
}

}  // namespace

std::uint64_t VerifyReport::records() const { return sum(writers, &WriterReport::records); }
std::uint64_t VerifyReport::rejected() const { return sum(writers, &WriterReport::rejected); }
std::uint64_t VerifyReport::missing() const { return sum(writers, &WriterReport::missing); }
std::uint64_t VerifyReport::refused() const { return sum(writers, &WriterReport::refused); }

namespace {

struct WriterFile {
  std::string path;  // in the room folder
  Id128 writer{};
  std::uint64_t size = 0;
};

// Every writer file of the room: first-edition ones beside the header, then each period's,
// oldest period first (the order a writer wrote them in).
Result<std::vector<WriterFile>> list_writer_files(Transport& transport, const std::string& folder) {
  auto root = transport.list(folder);
  if (!root) return root.error();
  std::vector<std::string> periods;
  std::vector<WriterFile> out;
  const auto take = [&](const std::vector<DirEntry>& listing, const std::string& dir) {
    for (const DirEntry& e : listing)
      if (auto writer = layout::parse_writer_file(e.name); writer && !e.is_dir)
        out.push_back({dir.empty() ? e.name : layout::join(dir, e.name), *writer, e.size.value_or(0)});
  };
  take(root.value(), "");
  for (const DirEntry& e : root.value())
    if (e.is_dir && layout::is_period_folder(e.name)) periods.push_back(e.name);
  std::sort(periods.begin(), periods.end());
  for (const std::string& period : periods) {
    auto listing = transport.list(layout::join(folder, period));
    if (!listing) return listing.error();
    take(listing.value(), period);
  }
  return out;
}

}  // namespace

Result<VerifyReport> verify_room(Transport& transport, const OpenedRoom& room,
                                 const std::string& folder, const VerifyProgress& progress,
                                 const MemberRoom* member) {
  auto files = list_writer_files(transport, folder);
  if (!files) return files.error();
  std::uint64_t total = 0, done = 0;
  for (const WriterFile& f : files.value()) total += f.size;
  VerifyReport report;
  std::optional<V1Keys> v1;
  if (!member) v1.emplace(*room.cipher);
  const RecordKeys& keys = member ? static_cast<const RecordKeys&>(member->keys())
                                  : static_cast<const RecordKeys&>(*v1);
  std::map<Id128, SeqSet> seqs;                          // per writer, over its files
  std::map<Id128, std::optional<PublicKey>> signers;     // v2: per writer id
  for (const WriterFile& f : files.value()) {
    WriterCursor cursor(f.writer);
    WriterReport w;
    w.file = f.path;
    std::uint64_t since_lf = 0;
    const CursorKeys cursor_keys{keys, room.header.room_id, &seqs[f.writer], &signers[f.writer],
                                 member ? member->unreadable() : nullptr};
    const auto count = [&](IngestResult got) {
      w.records += got.accepted.size();
      for (const Message& msg : got.accepted)
        if (msg.flags & kFlagZstd) ++w.compressed;
      for (const VerifiedRecord& v : got.verified) {  // member rooms: judged as readers do
        if (const Verdict verdict = member->judge(v); verdict != Verdict::accepted) {
          ++(verdict == Verdict::removed ? w.refused : w.rejected);
          continue;
        }
        ++w.records;
        if (v.record.message.flags & kFlagZstd) ++w.compressed;
      }
      w.rejected += got.rejected;
      w.duplicates += got.duplicates;
      w.missing += got.missing;
      w.unreadable += got.unreadable;
    };
    auto read = transport.read_to(layout::join(folder, f.path), 0, [&](std::string_view piece) {
      count(cursor.ingest(piece, cursor_keys));
      w.bytes += piece.size();
      const auto lf = piece.rfind('\n');
      since_lf = lf == std::string_view::npos ? since_lf + piece.size() : piece.size() - lf - 1;
      return true;
    });
    if (!read) return read.error();
    count(cursor.finish(cursor_keys));  // the seals of what was read
    if (cursor.awaiting()) {  // the room's sync learned every key there is: the rest is not ours
      std::set<Id128> none = cursor.awaited_epochs();
      const CursorKeys last{keys, room.header.room_id, &seqs[f.writer], &signers[f.writer], &none};
      count(cursor.retry(last));
    }
    w.unfinished_bytes = since_lf;
    w.last_seq = cursor.last_seq();
    done += w.bytes;
    report.writers.push_back(std::move(w));
    if (progress) progress(done, std::max(total, done));
  }
  return report;
}

}  // namespace ftpchat
