// ChatSession (see chat_session.hpp).
#include "chat_session.hpp"

#include <charconv>

#include "chat_command.hpp"
#include "ftpchat/record/render.hpp"
#include "members.hpp"
#include "nick_style.hpp"
#include "outbox_writer.hpp"
#include "room_status.hpp"

namespace ftpchat::chat {

namespace {
constexpr std::int64_t kRescanMs = 30'000;
constexpr std::int64_t kStatusMs = 1'000;  // unread counts and nick from every ROOM/status
constexpr std::size_t kMembersScanBytes = 16u << 20;

std::string room_file(const ChatRoom& room, const char* name) { return room.ref.dir + "/" + name; }
}  // namespace

Result<ChatSession> ChatSession::start(MountRooms rooms, ChatOptions options) {
  ChatSession session(std::move(rooms), std::move(options));
  for (const RoomRef& ref : session.mount_.list()) session.add_room(ref);
  if (session.rooms_.empty())
    return make_error(Errc::not_found, "no room to show in " + session.mount_.root());
  for (std::size_t i = 0; i < session.rooms_.size(); ++i)
    if (session.rooms_[i].ref.name == session.mount_.first_room()) session.active_ = i;
  ChatRoom& first = session.active();
  if (!first.feed) return make_error(Errc::io, first.problem);
  for (std::size_t i = 0; i < session.rooms_.size(); ++i)
    (void)session.read_status(session.rooms_[i], false);
  // The room shown first starts at its first unread line, as after a switch.
  first.marker = first.first_unread;
  first.reveal_marker = first.marker.has_value();
  first.first_unread.reset();
  first.unread = first.mentions = 0;
  return session;
}

void ChatSession::add_room(const RoomRef& ref) {
  ChatRoom room;
  room.ref = ref;
  auto feed = RoomFeed::open(ref.dir + "/log", options_.history);
  if (feed) {
    room.feed.emplace(std::move(feed.value()));
  } else {
    room.problem = feed.error().detail;
  }
  rooms_.push_back(std::move(room));
}

void ChatSession::rescan_rooms() {
  for (const RoomRef& ref : mount_.list()) {
    bool known = false;
    for (const ChatRoom& r : rooms_) known = known || r.ref.name == ref.name;
    if (known) continue;
    add_room(ref);  // new rooms go last, so Alt+N keeps its room
    (void)read_status(rooms_.back(), false);
  }
}

bool ChatSession::poll(std::int64_t now_ms) {
  bool changed = false;
  if (last_rescan_ms_ == 0) last_rescan_ms_ = now_ms;
  if (now_ms - last_rescan_ms_ >= kRescanMs) {
    const std::size_t before = rooms_.size();
    rescan_rooms();
    changed = rooms_.size() != before;
    last_rescan_ms_ = now_ms;
  }
  const bool status_due = now_ms - last_status_ms_ >= kStatusMs;
  if (status_due) last_status_ms_ = now_ms;
  for (std::size_t i = 0; i < rooms_.size(); ++i) {
    changed = read_new_lines(i) || changed;
    // Lines on their way: every tick, so "pending" turns "on server" at once.
    if (status_due || tracker_.pending(rooms_[i].ref.name) > 0)
      changed = read_status(rooms_[i], i == active_) || changed;
  }
  return changed;
}

bool ChatSession::read_status(ChatRoom& room, bool shown) {
  if (!room.feed) return false;
  const auto status = read_room_status(room_file(room, "status"));
  if (!status) return false;
  bool changed = false;
  if (!status->nick.empty() && status->nick != room.nick) {
    room.nick = status->nick;
    if (nick_.empty()) nick_ = status->nick;  // no more guessing
    changed = true;
  }
  if (status->unread && !shown) {
    const auto n = static_cast<int>(std::min<std::uint64_t>(*status->unread, 1'000'000));
    if (n == 0) {
      room.first_unread.reset();
      room.mentions = 0;
    } else if (!room.first_unread) {
      place_unread(room, static_cast<std::uint64_t>(n));
    }
    changed = changed || n != room.unread;
    room.unread = n;
  }
  return check_delivery(room, status) || changed;
}

void ChatSession::place_unread(ChatRoom& room, std::uint64_t unread) {
  const RoomFeed& feed = *room.feed;
  room.mentions = 0;
  std::uint64_t counted = 0;
  std::int64_t id = feed.end_id();
  while (counted < unread && id > feed.first_id()) {
    --id;
    const FeedLine& line = feed.line(id);
    if (line.parts.kind != LineKind::message) continue;
    const std::string_view speaker = nick_of(line.text, line.parts);
    if (speaker == nick_in(room) || tracker_.find(room.ref.name, id) != nullptr) continue;
    ++counted;
    if (!find_mentions(body_of(line.text, line.parts), nick_in(room)).empty()) ++room.mentions;
  }
  if (id < feed.end_id()) room.first_unread = id;  // older unread lines are not loaded yet
}

bool ChatSession::read_new_lines(std::size_t index) {
  ChatRoom& room = rooms_[index];
  if (!room.feed) return false;
  const std::int64_t from = room.feed->end_id();
  if (room.feed->poll() == 0) return false;
  for (std::int64_t id = from; id < room.feed->end_id(); ++id) {
    const FeedLine& line = room.feed->line(id);
    if (line.parts.kind != LineKind::message) continue;
    const std::string_view speaker = nick_of(line.text, line.parts);
    const std::string_view body = body_of(line.text, line.parts);
    const std::string& own = room.nick.empty() ? nick_ : nick_in(room);
    if (tracker_.match(room.ref.name, speaker, body, id, own)) {
      if (nick_.empty()) nick_ = std::string(speaker);  // the mount's nick, as others see it
      continue;
    }
    if (index == active_ || (nick_known() && speaker == nick_in(room))) continue;
    if (!room.first_unread) room.first_unread = id;
    ++room.unread;  // until the next ROOM/status says how many the mount counts
    if (!find_mentions(body, nick_in(room)).empty()) ++room.mentions;
  }
  return true;
}

bool ChatSession::check_delivery(ChatRoom& room, const std::optional<RoomStatus>& status) {
  if (!status) return false;
  // Receipts keep coming for lines already on the server.
  const bool read_changed = tracker_.status_sent(room.ref.name, status->sent);
  if (tracker_.pending(room.ref.name) == 0) return read_changed;
  const std::size_t before = tracker_.pending(room.ref.name);
  tracker_.status_pending(room.ref.name, status->pending);
  std::string problem = status->last_error;
  if (status->state.starts_with("read-only")) problem = status->state;
  const bool changed = read_changed || before != tracker_.pending(room.ref.name) ||
                       problem != room.server_problem;
  room.server_problem = tracker_.pending(room.ref.name) > 0 ? problem : std::string();
  return changed;
}

bool ChatSession::switch_to(std::size_t index) {
  if (index >= rooms_.size()) return false;
  if (!rooms_[index].feed) {
    say("cannot show " + rooms_[index].ref.name + ": " + rooms_[index].problem);
    return false;
  }
  if (index == active_) return true;
  rooms_[active_].marker.reset();  // the marker is for one visit
  active_ = index;
  ChatRoom& room = rooms_[active_];
  room.marker = room.first_unread;
  room.reveal_marker = room.marker.has_value();
  room.first_unread.reset();
  room.unread = room.mentions = 0;
  return true;
}

void ChatSession::shown(std::int64_t id) {
  if (ChatRoom& room = active(); room.feed) room.feed->mark_seen(id);
}

void ChatSession::say(std::string text) {
  if (ChatRoom& room = active(); room.feed) room.feed->add_local("-- " + std::move(text));
}

StyledLine ChatSession::styled(const ChatRoom& room, std::int64_t id,
                               std::size_t palette_size) const {
  const Delivery* d = tracker_.find(room.ref.name, id);
  return style_line(room.feed->line(id), nick_in(room), d, palette_size);
}

ChatSession::Outcome ChatSession::submit(std::string_view line, std::int64_t now_ms) {
  const ChatCommand cmd = parse_chat_command(line);
  using K = ChatCommand::Kind;
  switch (cmd.kind) {
    case K::nothing:
      break;
    case K::message:
      send(cmd.argument);
      break;
    case K::action:
      send(action_body(nick_in(active()), cmd.argument));
      break;
    case K::join:
      join(cmd.argument);
      break;
    case K::rooms:
      rescan_rooms();
      last_rescan_ms_ = now_ms;
      list_rooms();
      break;
    case K::members:
      list_members();
      break;
    case K::help: {
      say("commands and keys:");
      std::string_view help = chat_help_text();
      while (!help.empty()) {
        const std::size_t eol = std::min(help.find('\n'), help.size());
        say("  " + std::string(help.substr(0, eol)));
        help.remove_prefix(std::min(eol + 1, help.size()));
      }
      break;
    }
    case K::quit:
      return Outcome::quit;
    case K::error:
      say(cmd.argument);
      break;
  }
  return Outcome::stay;
}

void ChatSession::send(std::string body) {
  ChatRoom& room = active();
  if (auto sent = append_to_outbox(room_file(room, "outbox"), body); !sent) {
    say("not sent (" + sent.error().detail + "): " + escape_text(body));
    return;
  }
  tracker_.sent(room.ref.name, escape_text(body));
  room.view.follow();       // what the user just said is where they look
  read_new_lines(active_);  // the mount echoes a line once it is spooled
}

void ChatSession::join(const std::string& which) {
  std::size_t number = 0;
  const auto [end, ec] = std::from_chars(which.data(), which.data() + which.size(), number);
  if (ec == std::errc() && end == which.data() + which.size()) {
    if (number >= 1 && switch_to(number - 1)) return;
    say("no room number " + which + "; /rooms lists them");
    return;
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    for (std::size_t i = 0; i < rooms_.size(); ++i)
      if (rooms_[i].ref.name == which) {
        switch_to(i);
        return;
      }
    if (attempt == 0) rescan_rooms();
  }
  say("no room " + which +
      (mount_.root().empty()
           ? std::string(" (this client shows one room)")
           : "; /rooms lists them, mkdir " + mount_.root() + "/" + which + " creates it"));
}

void ChatSession::list_rooms() {
  std::string text = "rooms:";
  for (std::size_t i = 0; i < rooms_.size(); ++i) {
    const ChatRoom& r = rooms_[i];
    text += "  " + std::to_string(i + 1) + ":" + r.ref.name;
    if (i == active_)
      text += " (shown)";
    else if (!r.feed)
      text += " (unreadable)";
    else if (r.unread > 0)
      text += " (" + std::to_string(r.unread) + " unread)";
  }
  say(text);
}

void ChatSession::list_members() {
  ChatRoom& room = active();
  if (auto members = read_members_file(room_file(room, "members"))) {  // a member room
    say("members of " + room.ref.name + ":");
    for (const RoomMember& m : *members) {
      std::string line = "  " + m.name + " (" + m.role +
                         (m.devices > 1 ? ", " + std::to_string(m.devices) + " devices" : "") + ")";
      if (!m.read_time.empty()) line += "  read up to " + local_time_of(m.read_time);
      say(line);
    }
    return;
  }
  bool partial = false;
  const std::vector<Member> members =
      members_of_log(room_file(room, "log"), kMembersScanBytes, partial);
  say("members of " + room.ref.name + " (who wrote in its log" + (partial ? ", last 16 MiB" : "") +
      "), latest first:");
  if (members.empty()) say("  nobody has written yet");
  for (const Member& m : members)
    say("  " + m.nick + "  last spoke " + m.last_spoke + ", " + std::to_string(m.messages) +
        (m.messages == 1 ? " message" : " messages"));
}

}  // namespace ftpchat::chat
