// ReceiptBook, RecentMessages and receipt_due (see include/ftpchat/room/receipt_book.hpp).
#include "ftpchat/room/receipt_book.hpp"

#include <tuple>

namespace ftpchat {

bool ReceiptBook::add(const PublicKey& signer, const std::vector<ReceiptEntry>& entries) {
  bool moved = false;
  auto& mine = marks_[signer];
  for (const ReceiptEntry& e : entries) {
    auto [it, added] = mine.try_emplace(e.writer, e);
    if (!added && e.seq <= it->second.seq) continue;  // only forward
    it->second = e;
    moved = true;
  }
  return moved;
}

std::optional<ReceiptEntry> ReceiptBook::read_up_to(const PublicKey& signer) const {
  auto it = marks_.find(signer);
  if (it == marks_.end()) return std::nullopt;
  std::optional<ReceiptEntry> best;
  for (const auto& [writer, e] : it->second)
    if (!best || std::tie(e.stamp, e.writer) > std::tie(best->stamp, best->writer)) best = e;
  return best;
}

std::uint64_t ReceiptBook::mark(const PublicKey& signer, const Id128& writer) const {
  auto it = marks_.find(signer);
  if (it == marks_.end()) return 0;
  auto e = it->second.find(writer);
  return e == it->second.end() ? 0 : e->second.seq;
}

std::map<Id128, std::uint64_t> ReceiptBook::marks_of(const PublicKey& signer) const {
  std::map<Id128, std::uint64_t> out;
  if (auto it = marks_.find(signer); it != marks_.end())
    for (const auto& [writer, e] : it->second) out[writer] = e.seq;
  return out;
}

std::vector<PublicKey> ReceiptBook::readers_of(const Id128& writer, std::uint64_t seq,
                                               const PublicKey& except) const {
  std::vector<PublicKey> out;
  for (const auto& [signer, marks] : marks_) {
    if (signer == except) continue;
    auto e = marks.find(writer);
    if (e != marks.end() && e->second.seq >= seq) out.push_back(signer);
  }
  return out;
}

void RecentMessages::add(const ReceiptEntry& message) {
  auto& list = by_writer_[message.writer];
  if (!list.empty() && message.seq <= list.back().seq) return;  // each writer's order
  list.push_back(message);
  if (list.size() > kPerWriter) list.pop_front();
}

std::optional<ReceiptEntry> RecentMessages::find(const Id128& writer, std::uint64_t seq) const {
  auto it = by_writer_.find(writer);
  if (it == by_writer_.end()) return std::nullopt;
  for (auto e = it->second.rbegin(); e != it->second.rend(); ++e)
    if (e->seq == seq) return *e;
  return std::nullopt;
}

std::vector<ReceiptEntry> receipt_due(const std::map<Id128, std::uint64_t>& seen,
                                      const std::map<Id128, std::uint64_t>& sent,
                                      const RecentMessages& recent) {
  std::vector<ReceiptEntry> out;
  for (const auto& [writer, seq] : seen) {  // a map: writers come sorted
    if (out.size() == kMaxReceiptEntries) break;
    auto done = sent.find(writer);
    if (done != sent.end() && seq <= done->second) continue;
    if (auto message = recent.find(writer, seq)) out.push_back(*message);
  }
  return out;
}

}  // namespace ftpchat
