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
    if (!known) add_room(ref);  // new rooms go last, so Alt+N keeps its room
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
  for (std::size_t i = 0; i < rooms_.size(); ++i) {
    changed = read_new_lines(i) || changed;
    changed = check_delivery(rooms_[i]) || changed;
  }
  return changed;
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
    if (tracker_.match(room.ref.name, speaker, body, id, nick_)) {
      if (nick_.empty()) nick_ = std::string(speaker);  // the mount's nick, as others see it
      continue;
    }
    if (index == active_ || (nick_known() && speaker == nick_)) continue;
    if (!room.first_unread) room.first_unread = id;
    ++room.unread;
    if (!find_mentions(body, nick()).empty()) ++room.mentions;
  }
  return true;
}

bool ChatSession::check_delivery(ChatRoom& room) {
  if (tracker_.pending(room.ref.name) == 0) return false;
  const auto status = read_room_status(room_file(room, "status"));
  if (!status) return false;
  const std::size_t before = tracker_.pending(room.ref.name);
  tracker_.status_pending(room.ref.name, status->pending);
  std::string problem = status->last_error;
  if (status->state.starts_with("read-only")) problem = status->state;
  const bool changed = before != tracker_.pending(room.ref.name) || problem != room.server_problem;
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

void ChatSession::say(std::string text) {
  if (ChatRoom& room = active(); room.feed) room.feed->add_local("-- " + std::move(text));
}

StyledLine ChatSession::styled(const ChatRoom& room, std::int64_t id,
                               std::size_t palette_size) const {
  const Delivery* d = tracker_.find(room.ref.name, id);
  return style_line(room.feed->line(id), nick(), d, palette_size);
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
      send(action_body(nick(), cmd.argument));
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
