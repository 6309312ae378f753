// DeliveryTracker (see delivery.hpp).
#include "delivery.hpp"

#include <algorithm>

#include "room_status.hpp"

namespace ftpchat::chat {

std::string describe(const Delivery& d) {
  switch (d.state) {
    case DeliveryState::pending:
      return "pending";
    case DeliveryState::on_server:
      return "on server";
    case DeliveryState::read:
      break;
  }
  if (d.read_by.size() > 3 || d.read_count > d.read_by.size())
    return "read by " + std::to_string(std::max(d.read_count, d.read_by.size()));
  std::string names;
  for (const std::string& n : d.read_by) names += (names.empty() ? "" : ", ") + n;
  return "read by " + names;
}

void DeliveryTracker::sent(const std::string& room, std::string body) {
  rooms_[room].push_back(Delivery{std::move(body), std::nullopt, DeliveryState::pending, {}, 0});
}

bool DeliveryTracker::match(const std::string& room, std::string_view nick, std::string_view body,
                            std::int64_t line_id, std::string_view own_nick) {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return false;
  if (!own_nick.empty() && nick != own_nick) return false;
  for (Delivery& d : it->second) {
    if (d.line_id) continue;
    if (d.body != body) continue;
    d.line_id = line_id;
    return true;
  }
  return false;
}

void DeliveryTracker::status_pending(const std::string& room, std::uint64_t pending) {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  std::vector<Delivery>& list = it->second;
  std::size_t ours = 0;
  for (const Delivery& d : list) ours += d.state == DeliveryState::pending;
  if (pending >= ours) return;
  std::size_t to_mark = ours - static_cast<std::size_t>(pending);
  for (Delivery& d : list) {
    if (to_mark == 0) break;
    if (d.state != DeliveryState::pending) continue;
    d.state = DeliveryState::on_server;
    --to_mark;
  }
}

bool DeliveryTracker::status_sent(const std::string& room, const std::vector<SentStatus>& sent) {
  auto it = rooms_.find(room);
  if (it == rooms_.end() || sent.empty()) return false;
  std::vector<Delivery>& list = it->second;
  bool changed = false;
  std::size_t next = list.size();
  for (const SentStatus& s : sent) {  // newest first, as our lines are matched backwards
    for (std::size_t i = next; i-- > 0;) {
      Delivery& d = list[i];
      if (!d.line_id || !sent_text_matches(d.body, s.text)) continue;
      next = i;
      if (s.state == DeliveryState::pending) break;  // still queued: nothing to learn
      if (d.state == DeliveryState::pending) {
        d.state = DeliveryState::on_server;
        changed = true;
      }
      for (const std::string& name : s.read_by)
        if (std::find(d.read_by.begin(), d.read_by.end(), name) == d.read_by.end()) {
          d.read_by.push_back(name);
          changed = true;
        }
      if (s.read_count > d.read_count) {
        d.read_count = s.read_count;
        changed = true;
      }
      break;
    }
  }
  // Whoever read a line of ours read every older one that is on the server.
  std::vector<std::string> readers;
  std::size_t count = 0;
  for (std::size_t i = list.size(); i-- > 0;) {
    Delivery& d = list[i];
    if (d.state == DeliveryState::pending) continue;
    for (const std::string& name : readers)
      if (std::find(d.read_by.begin(), d.read_by.end(), name) == d.read_by.end()) {
        d.read_by.push_back(name);
        changed = true;
      }
    if (count > d.read_count) {
      d.read_count = count;
      changed = true;
    }
    readers = d.read_by;
    count = std::max(count, d.read_count);
    if ((!d.read_by.empty() || d.read_count > 0) && d.state != DeliveryState::read) {
      d.state = DeliveryState::read;
      changed = true;
    }
  }
  return changed;
}

const Delivery* DeliveryTracker::find(const std::string& room, std::int64_t line_id) const {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return nullptr;
  for (const Delivery& d : it->second)
    if (d.line_id == line_id) return &d;
  return nullptr;
}

std::size_t DeliveryTracker::pending(const std::string& room) const {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return 0;
  return static_cast<std::size_t>(
      std::count_if(it->second.begin(), it->second.end(),
                    [](const Delivery& d) { return d.state == DeliveryState::pending; }));
}

std::size_t DeliveryTracker::pending_total() const {
  std::size_t n = 0;
  for (const auto& [room, list] : rooms_) n += pending(room);
  return n;
}

}  // namespace ftpchat::chat
