// Room, what the user has seen (docs/DESIGN.md, "Seen and unread"): messages are noted as
// they reach the log, reads of log and log.jsonl mark them seen (room.cpp), and the marks go
// to `seen` in the room's state folder now and then, never on a reader's path.
#include <filesystem>

#include "ftpchat/room/fresh_merge.hpp"
#include "ftpchat/room/room.hpp"
#include "ftpchat/room/seen_file.hpp"

namespace ftpchat {

namespace {
std::filesystem::path room_state_dir(const EngineConfig& config, const std::string& folder) {
  return config.state_dir / "rooms" / folder;
}
}  // namespace

Room::~Room() { save_seen(true); }

void Room::load_seen_locked() {
  if (ctx_.config.state_dir.empty()) return;
  const auto dir = room_state_dir(ctx_.config, folder_);
  const SeenTracker::Watermarks earlier = SeenFile(dir / "seen").load();
  const std::vector<Id128> own = WriterIdentity::known_ids(dir);
  std::lock_guard lock(state_mu_);
  seen_.restore(earlier);
  for (const Id128& id : own) seen_.add_own(id);
  seen_saved_ = seen_.changes();
}

void Room::append_fresh(FreshMerge& fresh, const FreshMerge::Finish& finish) {
  struct Item {
    Id128 writer;
    std::uint64_t seq;
    std::size_t log_bytes, json_bytes;
  };
  std::vector<Item> batch;
  fresh.drain(
      [&](std::string_view log_text, std::string_view json_text) {
        std::lock_guard lock(state_mu_);
        std::uint64_t log_end = log_.size(), json_end = jsonl_.size();
        log_.append(log_text);
        jsonl_.append(json_text);
        for (const Item& m : batch) {
          log_end += m.log_bytes;
          json_end += m.json_bytes;
          if (m.seq != 0) seen_.add(m.writer, m.seq, log_end, json_end);
        }
        batch.clear();
      },
      finish,
      [&](const FreshMerge::Drained& d) {
        batch.push_back(Item{d.writer, d.seq, d.log_bytes, d.json_bytes});
      });
}

std::uint64_t Room::unread() const {
  std::lock_guard lock(state_mu_);
  return seen_.unread();
}

void Room::save_seen(bool now) {
  if (ctx_.config.state_dir.empty()) return;
  std::lock_guard saving(seen_save_mu_);
  const auto at = std::chrono::steady_clock::now();
  if (!now && at - seen_saved_at_ < kSeenSaveEvery) return;
  SeenTracker::Watermarks marks;
  std::uint64_t changes;
  {
    std::lock_guard lock(state_mu_);
    changes = seen_.changes();
    if (changes == seen_saved_) return;
    marks = seen_.seen();
  }
  seen_saved_at_ = at;
  const SeenFile file(room_state_dir(ctx_.config, folder_) / "seen");
  if (auto saved = file.save(marks); !saved) {
    if (!seen_save_failing_)
      ctx_.log.warning("room " + folder_ + ": cannot keep what was read (" +
                       describe(saved.error()) + "); trying again every " +
                       std::to_string(kSeenSaveEvery.count()) + " s");
    seen_save_failing_ = true;
    return;
  }
  if (seen_save_failing_) ctx_.log.info("room " + folder_ + ": what was read is kept again");
  seen_save_failing_ = false;
  std::lock_guard lock(state_mu_);
  seen_saved_ = std::max(seen_saved_, changes);
}

}  // namespace ftpchat
