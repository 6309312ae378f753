// The client's state, without a screen: the rooms of the mount with their feeds, unread
// counts and markers, which room is shown, the delivery of what the user sent, and what
// each typed line does. The full-screen client (chat_tui.cpp) draws it and feeds it keys;
// unit tests drive it directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "delivery.hpp"
#include "line_style.hpp"
#include "mount_rooms.hpp"
#include "room_feed.hpp"
#include "room_status.hpp"
#include "viewport.hpp"

namespace ftpchat::chat {

struct ChatOptions {
  std::size_t history = 500;  // lines of each room's log loaded at start
  std::string nick;           // the user's nick in the mount, if given (--nick)
  std::string nick_guess;     // else assumed (the login name) until the user's first line
                              // shows in the log with the mount's real nick
};

struct ChatRoom {
  RoomRef ref;
  std::optional<RoomFeed> feed;  // none when its log cannot be opened (see `problem`)
  std::string problem;
  int unread = 0;    // messages of others the user has not seen (the mount's count)
  int mentions = 0;  // of which mention the user (of those this client has loaded)
  std::optional<std::int64_t> first_unread;
  std::optional<std::int64_t> marker;  // "new messages" above this line while shown
  bool reveal_marker = false;          // the screen scrolls to the marker once
  Viewport view;
  std::string server_problem;  // "last error" of ROOM/status while lines are pending
  std::string nick;            // the user's nick here, from ROOM/status ("nick:")
};

class ChatSession {
 public:
  static Result<ChatSession> start(MountRooms rooms, ChatOptions options);

  // Reads what every room's log gained (peeking: the mount counts nothing as seen), and
  // ROOM/status of every room every second (unread counts, nick, delivery); lists the
  // mount's rooms again every 30 s. True when anything shown changed.
  bool poll(std::int64_t now_ms);

  enum class Outcome { stay, quit };
  // One line typed by the user (UTF-8): a message, or a command.
  Outcome submit(std::string_view line, std::int64_t now_ms);
  // Shows room `index` (0-based); false if there is none.
  bool switch_to(std::size_t index);
  // The screen shows the room on screen up to line `id`: the mount learns that it was seen.
  void shown(std::int64_t id);

  std::vector<ChatRoom>& rooms() { return rooms_; }
  const std::vector<ChatRoom>& rooms() const { return rooms_; }
  std::size_t active_index() const { return active_; }
  ChatRoom& active() { return rooms_[active_]; }
  // The nick the user writes as: known (given, from ROOM/status, or seen in the log), else
  // the guess.
  const std::string& nick() const { return nick_.empty() ? options_.nick_guess : nick_; }
  const std::string& nick_in(const ChatRoom& room) const {
    return room.nick.empty() || !options_.nick.empty() ? nick() : room.nick;
  }
  bool nick_known() const { return !nick_.empty(); }
  const DeliveryTracker& deliveries() const { return tracker_; }

  StyledLine styled(const ChatRoom& room, std::int64_t id, std::size_t palette_size) const;
  // A line of this client's own in the room on screen.
  void say(std::string text);

 private:
  ChatSession(MountRooms rooms, ChatOptions options)
      : mount_(std::move(rooms)), options_(std::move(options)), nick_(options_.nick) {}
  void add_room(const RoomRef& ref);
  bool read_new_lines(std::size_t index);
  bool check_delivery(ChatRoom& room, const std::optional<RoomStatus>& status);
  bool read_status(ChatRoom& room, bool shown);
  // The mount says `unread` messages of others are unseen: the marker goes above the oldest
  // of them among the lines held, and their mentions are counted.
  void place_unread(ChatRoom& room, std::uint64_t unread);
  void rescan_rooms();
  void send(std::string body);
  void join(const std::string& which);
  void list_rooms();
  void list_members();

  MountRooms mount_;
  ChatOptions options_;
  std::string nick_;
  std::vector<ChatRoom> rooms_;
  std::size_t active_ = 0;
  DeliveryTracker tracker_;
  std::int64_t last_rescan_ms_ = 0;
  std::int64_t last_status_ms_ = 0;
};

}  // namespace ftpchat::chat
