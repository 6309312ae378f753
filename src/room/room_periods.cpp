// Room, period folders (docs/FORMAT.md, "Periods"): writer files live in one folder per UTC
// month, so the listing a poll reads holds only this month's writers, however old the room.
// Rules:
//  1. a full sync lists the room folder (header, period folders, first-edition writer files
//     beside the header) and the two newest periods; the first full sync lists every period;
//  2. a full sync is due on the first sync, every kFullSyncEveryMs, while no period exists
//     yet, while first-edition writer files still grow, and within kBoundaryMs of a month's
//     change by our clock (other clocks may already be in the new month);
//  3. other syncs list only the newest period, and also the one before it for kGraceMs after
//     a newer one appeared (writers still in the old month find the new folder within a
//     full-sync interval of theirs);
//  4. a writer appends to the latest of: its clock's month, the newest period seen, the
//     period it appended to last (never going back), creating the folder if needed;
//  5. a server that refuses the new folder gets the first-edition layout (a file beside the
//     header), which readers keep reading (rule 2).
#include "ftpchat/room/room.hpp"
#include "ftpchat/room/room_layout.hpp"

namespace ftpchat {
namespace {
constexpr std::int64_t kFullSyncEveryMs = 60'000;
constexpr std::int64_t kBoundaryMs = 5 * 60'000;
constexpr std::int64_t kGraceMs = 10 * 60'000;

// Within kBoundaryMs of a change of month by our clock (rule 2).
bool near_month_change(std::int64_t now_ms) {
  return layout::period_of(now_ms - kBoundaryMs) != layout::period_of(now_ms + kBoundaryMs);
}
}  // namespace

bool Room::full_sync_due(std::int64_t now_ms) const {
  return !synced_once_ || periods_.empty() || root_writers_active_ ||
         now_ms - last_full_sync_ms_ >= kFullSyncEveryMs || now_ms < last_full_sync_ms_ ||
         near_month_change(now_ms);
}

void Room::note_listing_locked(const std::vector<DirEntry>& root, std::int64_t now_ms) {
  const std::string newest_before = periods_.empty() ? "" : *periods_.rbegin();
  for (const DirEntry& e : root)
    if (e.is_dir && layout::is_period_folder(e.name)) periods_.insert(e.name);
  if (synced_once_ && !periods_.empty() && *periods_.rbegin() != newest_before)
    newest_period_since_ms_ = now_ms;
  last_full_sync_ms_ = now_ms;
}

std::vector<std::string> Room::periods_to_list(bool full, std::int64_t now_ms) const {
  std::vector<std::string> out;
  if (periods_.empty()) return out;
  if (!synced_once_) return {periods_.begin(), periods_.end()};
  auto newest = periods_.rbegin();
  const bool two = full || now_ms - newest_period_since_ms_ < kGraceMs || near_month_change(now_ms);
  if (two && std::next(newest) != periods_.rend()) out.push_back(*std::next(newest));
  out.push_back(*newest);
  // Our own period, when older: an append whose outcome is unknown is checked there.
  if (!own_period_.empty() && own_period_ < out.front()) out.insert(out.begin(), own_period_);
  return out;
}

Result<void> Room::choose_append_period_locked() {
  if (periods_refused_) return {};  // rule 5
  std::string period = std::max(layout::period_of(ctx_.wall.now_ms()), own_period_);
  if (!periods_.empty()) period = std::max(period, *periods_.rbegin());
  if (!periods_.count(period)) {
    auto made = ctx_.transport.make_dir(layout::join(folder_, period));
    if (!made && made.error().code != Errc::exists) {
      const bool refused =
          made.error().code == Errc::permission || made.error().code == Errc::unsupported;
      if (refused && own_period_.empty()) {
        periods_refused_ = true;
        ctx_.log.warning("room " + folder_ + ": the server refused folder " + period + " (" +
                         describe(made.error()) + "); writing beside the header instead");
        return {};
      }
      own_period_ = period;  // tried again before the next append
      return made.error();
    }
    periods_.insert(period);
  }
  own_period_ = period;
  return {};
}

}  // namespace ftpchat
