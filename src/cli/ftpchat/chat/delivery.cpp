// DeliveryTracker (see delivery.hpp).
#include "delivery.hpp"

#include <algorithm>

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
  if (d.read_by.size() > 3) return "read by " + std::to_string(d.read_by.size());
  std::string names;
  for (const std::string& n : d.read_by) names += (names.empty() ? "" : ", ") + n;
  return "read by " + names;
}

void DeliveryTracker::sent(const std::string& room, std::string body) {
  rooms_[room].push_back(Delivery{std::move(body), std::nullopt, DeliveryState::pending, {}});
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

void DeliveryTracker::mark_read(const std::string& room, std::int64_t line_id,
                                const std::string& reader) {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  for (Delivery& d : it->second) {
    if (!d.line_id || *d.line_id > line_id || d.state == DeliveryState::pending) continue;
    if (std::find(d.read_by.begin(), d.read_by.end(), reader) == d.read_by.end())
      d.read_by.push_back(reader);
    d.state = DeliveryState::read;
  }
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
