// Room, what became of what this mount sent: the last few messages with their state for
// ROOM/status ("sent N: TIME STATE: TEXT", newest first; ftpchatfs(1)).
#include "ftpchat/record/render.hpp"
#include "ftpchat/room/room.hpp"

namespace ftpchat {

namespace {
constexpr std::size_t kSentTextBytes = 60;
constexpr std::string_view kCut = "\u2026";  // "…"

// The body as the log shows it, at most kSentTextBytes (cut on a character boundary).
std::string excerpt(std::string_view body) {
  std::string text = escape_text(body);
  if (text.size() <= kSentTextBytes) return text;
  std::size_t end = kSentTextBytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
  return text + std::string(kCut);
}
}  // namespace

void Room::note_sent_locked(const std::vector<SpooledRecord>& records,
                            const std::vector<std::string>& bodies) {
  const std::int64_t now = ctx_.wall.now_ms();
  for (std::size_t i = 0; i < records.size() && i < bodies.size(); ++i) {
    sent_recent_.push_back(SentMessage{records[i].seq, now, excerpt(bodies[i])});
    if (sent_recent_.size() > kSentShown) sent_recent_.pop_front();
  }
}

}  // namespace ftpchat
