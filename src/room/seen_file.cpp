// SeenFile (see include/ftpchat/room/seen_file.hpp).
#include "ftpchat/room/seen_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ftpchat {

namespace fs = std::filesystem;

namespace {

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::string read_all(int fd) {
  std::string out;
  char buf[16384];
  for (off_t at = 0;;) {
    const ssize_t n = ::pread(fd, buf, sizeof buf, at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    at += n;
  }
  return out;
}

std::string line_of(const Id128& writer, std::uint64_t seq) {
  std::string digits = std::to_string(seq);
  return to_hex(writer) + " " + std::string(20 - digits.size(), '0') + digits + "\n";
}

struct Slot {
  std::size_t index;
  std::uint64_t seq;
};

// Slot i is bytes [i * kLineBytes, (i + 1) * kLineBytes); a slot that does not hold a valid
// line (torn by a crash, damaged) is free for reuse, as is a partial last one.
void parse(const std::string& text, std::map<Id128, Slot>& slots,
           std::vector<std::size_t>& free_slots) {
  constexpr std::size_t n = SeenFile::kLineBytes;
  for (std::size_t i = 0; i * n < text.size(); ++i) {
    const std::string_view line = std::string_view(text).substr(i * n, n);
    std::optional<Id128> writer;
    std::uint64_t seq = 0;
    if (line.size() == n && line[32] == ' ' && line[n - 1] == '\n') {
      writer = id_from_hex(line.substr(0, 32));
      const std::string_view digits = line.substr(33, 20);
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
      if (ec != std::errc() || end != digits.data() + digits.size()) writer.reset();
    }
    if (!writer || slots.count(*writer) > 0) {
      free_slots.push_back(i);
      continue;
    }
    slots.emplace(*writer, Slot{i, seq});
  }
}

bool write_at(int fd, const std::string& data, off_t at) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n =
        ::pwrite(fd, data.data() + done, data.size() - done, at + static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

SeenTracker::Watermarks SeenFile::load() const {
  SeenTracker::Watermarks out;
  Fd f{::open(path_.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) return out;
  std::map<Id128, Slot> slots;
  std::vector<std::size_t> free_slots;
  parse(read_all(f.fd), slots, free_slots);
  for (const auto& [writer, slot] : slots) out[writer] = slot.seq;
  return out;
}

Result<void> SeenFile::save(const SeenTracker::Watermarks& seen) const {
  Fd f{::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)};
  if (f.fd < 0 && errno == ENOENT) {
    std::error_code ec;
    fs::create_directories(path_.parent_path(), ec);
    fs::permissions(path_.parent_path(), fs::perms::owner_all, ec);
    f.fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  }
  if (f.fd < 0) return os_error("cannot open " + path_.string(), errno);
  const std::string text = read_all(f.fd);
  std::map<Id128, Slot> slots;
  std::vector<std::size_t> free_slots;
  parse(text, slots, free_slots);
  std::size_t next_slot = (text.size() + kLineBytes - 1) / kLineBytes;
  if (!free_slots.empty() && free_slots.back() + 1 == next_slot) {
    next_slot = free_slots.back();  // a partial last line: written over, not after
    free_slots.pop_back();
  }
  std::size_t reuse = 0;
  for (const auto& [writer, seq] : seen) {
    std::size_t index;
    if (auto it = slots.find(writer); it != slots.end()) {
      if (seq <= it->second.seq) continue;
      index = it->second.index;
    } else {
      index = reuse < free_slots.size() ? free_slots[reuse++] : next_slot++;
    }
    if (!write_at(f.fd, line_of(writer, seq), static_cast<off_t>(index * kLineBytes)))
      return os_error("cannot write " + path_.string(), errno == 0 ? EIO : errno);
  }
  return {};
}

}  // namespace ftpchat
