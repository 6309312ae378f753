// ConnectionPool: reading connections made as needed, one writing connection, and the
// server's limit on connections respected (rules in the header).
#include "ftpchat/room/connection_pool.hpp"

#include <algorithm>
#include <string_view>

namespace ftpchat {

namespace {
using Clock = std::chrono::steady_clock;

// What a server refusing one more connection looks like from here (rule 4).
bool looks_refused(const Error& e) {
  return e.code == Errc::unreachable || e.code == Errc::login_refused || e.code == Errc::timeout;
}

// A failure that says nothing of the connection: the server answered (a missing file, an
// existing folder, a refusal of the request), or the caller stopped.
bool answered(const Error& e) {
  return e.code != Errc::unreachable && e.code != Errc::timeout && e.code != Errc::tls &&
         e.code != Errc::login_refused;
}

void add_stats(TransportStats& sum, const TransportStats& s) {
  sum.requests += s.requests;
  sum.bytes_downloaded += s.bytes_downloaded;
  sum.bytes_uploaded += s.bytes_uploaded;
  sum.connections += s.connections;
}
}  // namespace

ConnectionPool::ConnectionPool(std::unique_ptr<Transport> first, TransportFactory more,
                               std::size_t size, Logger& log)
    : url_(first->display_url()),
      more_(std::move(more)),
      max_readers_(more_ && size >= 2 ? size - 1 : 1),
      separate_writer_(more_ && size >= 2),
      log_(log) {
  readers_.push_back(std::make_unique<Conn>(std::move(first)));
}

ConnectionPool::~ConnectionPool() = default;

std::unique_ptr<ConnectionPool::Conn> ConnectionPool::make_locked(
    std::unique_lock<std::mutex>& lock) {
  ++making_;
  lock.unlock();
  auto made = more_();
  lock.lock();
  --making_;
  if (made) return std::make_unique<Conn>(std::move(made.value()));
  no_extra_until_ = Clock::now() + kNoExtraFor;
  log_.warning("cannot make another connection to " + url_ + ": " + describe(made.error()));
  return nullptr;
}

ConnectionPool::Conn* ConnectionPool::lease_reader() {
  std::unique_lock lock(mu_);
  for (;;) {
    for (auto& conn : readers_)
      if (!conn->busy) {
        conn->busy = true;
        return conn.get();
      }
    if (more_ && readers_.size() + also_writing_.size() + making_ < max_readers_ &&
        Clock::now() >= no_extra_until_) {
      if (auto conn = make_locked(lock)) {
        conn->busy = true;
        readers_.push_back(std::move(conn));
        return readers_.back().get();
      }
      continue;
    }
    freed_.wait(lock);
  }
}

ConnectionPool::Conn* ConnectionPool::pin_writer_locked(const std::string& room) {
  Conn* main = writer_ ? writer_.get() : readers_.front().get();
  Conn* pick = nullptr;
  if (!main->busy) {
    pick = main;
  } else {
    for (auto& c : also_writing_)
      if (!c->busy) pick = c.get();
    const auto idle = std::find_if(readers_.begin() + 1, readers_.end(),
                                   [](const auto& c) { return !c->busy; });
    if (!pick && writer_ && idle != readers_.end()) {  // never the first connection
      also_writing_.push_back(std::move(*idle));
      readers_.erase(idle);
      pick = also_writing_.back().get();
    }
  }
  if (pick) pins_[room] = pick;
  return pick;
}

ConnectionPool::Conn* ConnectionPool::lease_writer(const std::string& path) {
  const std::string room = path.substr(0, path.find('/'));
  std::unique_lock lock(mu_);
  for (;;) {
    if (separate_writer_ && !writer_ && !writer_refused_) {
      if (making_writer_) {
        freed_.wait(lock);
        continue;
      }
      // Made once; refused or blocked (rule 4), writes stay on the first connection.
      if (Clock::now() >= no_extra_until_) {
        making_writer_ = true;
        writer_ = make_locked(lock);
        making_writer_ = false;
        freed_.notify_all();
      }
      if (!writer_) writer_refused_ = true;
    }
    const auto pin = pins_.find(room);
    Conn* conn = pin != pins_.end() ? pin->second : pin_writer_locked(room);
    if (conn && !conn->busy) {
      conn->busy = true;
      return conn;
    }
    freed_.wait(lock);
  }
}

void ConnectionPool::release(Conn* conn, const std::optional<Error>& failure) {
  {
    std::lock_guard lock(mu_);
    conn->busy = false;
    if (!failure || answered(*failure)) conn->proven = true;
  }
  freed_.notify_all();
}

bool ConnectionPool::drop_if_refused(Conn* conn, const Error& failure) {
  std::unique_ptr<Conn> dropped;
  std::size_t left = 0;
  {
    std::lock_guard lock(mu_);
    if (conn->proven || !looks_refused(failure) || conn == readers_.front().get()) return false;
    bool other_works = false;
    for (const auto& c : readers_) other_works |= c.get() != conn && c->proven;
    for (const auto& c : also_writing_) other_works |= c.get() != conn && c->proven;
    if (writer_ && writer_.get() != conn) other_works |= writer_->proven;
    if (!other_works) return false;  // the server may be down, not full
    add_stats(dropped_, conn->link.stats());
    std::erase_if(pins_, [&](const auto& pin) { return pin.second == conn; });
    const auto take = [&](std::vector<std::unique_ptr<Conn>>& from) {
      const auto it =
          std::find_if(from.begin(), from.end(), [&](const auto& c) { return c.get() == conn; });
      if (it == from.end()) return false;
      dropped = std::move(*it);
      from.erase(it);
      return true;
    };
    if (writer_.get() == conn) {
      dropped = std::move(writer_);
      writer_refused_ = true;
    } else if (!take(readers_)) {
      take(also_writing_);
    }
    no_extra_until_ = Clock::now() + kNoExtraFor;
    left = readers_.size() + also_writing_.size() + (writer_ ? 1 : 0);
  }
  freed_.notify_all();
  log_.warning("the server refused another connection (" + describe(failure) + "); going on with " +
               std::to_string(left) + ", and trying for more in " +
               std::to_string(kNoExtraFor.count()) + " minutes");
  return true;  // `dropped` closes here, outside mu_
}

template <typename F>
auto ConnectionPool::on_reader(F&& call) {
  for (;;) {
    Conn* conn = lease_reader();
    bool delivered = false;
    auto result = call(conn->link, delivered);
    if (!result && drop_if_refused(conn, result.error())) {
      if (!delivered) continue;  // rule 4: nothing reached the sink, so it may go again
      return result;
    }
    release(conn, result ? std::nullopt : std::optional<Error>(result.error()));
    return result;
  }
}

Result<std::vector<DirEntry>> ConnectionPool::list(const std::string& dir) {
  return on_reader([&](Transport& t, bool&) { return t.list(dir); });
}

Result<void> ConnectionPool::read_to(const std::string& path, std::uint64_t offset,
                                     const ByteSink& sink) {
  return on_reader([&](Transport& t, bool& delivered) {
    return t.read_to(path, offset, [&](std::string_view piece) {
      delivered = true;
      return sink(piece);
    });
  });
}

template <typename F>
Result<void> ConnectionPool::on_writer(const std::string& path, F&& call) {
  Conn* conn = lease_writer(path);
  auto result = call(conn->link);
  if (!result && drop_if_refused(conn, result.error())) return result;  // rule 4: not again
  release(conn, result ? std::nullopt : std::optional<Error>(result.error()));
  return result;
}

Result<void> ConnectionPool::append(const std::string& path, std::string_view data) {
  return on_writer(path, [&](Transport& t) { return t.append(path, data); });
}

Result<void> ConnectionPool::create_file(const std::string& path, std::string_view data) {
  return on_writer(path, [&](Transport& t) { return t.create_file(path, data); });
}

Result<void> ConnectionPool::make_dir(const std::string& path) {
  return on_writer(path, [&](Transport& t) { return t.make_dir(path); });
}

TransportStats ConnectionPool::stats() const {
  std::lock_guard lock(mu_);
  TransportStats sum = dropped_;
  for (const auto& c : readers_) add_stats(sum, c->link.stats());
  for (const auto& c : also_writing_) add_stats(sum, c->link.stats());
  if (writer_) add_stats(sum, writer_->link.stats());
  return sum;
}

namespace {

// "a (x, y), b, c" -> {"a (x, y)", "b", "c"}: split at ", " outside brackets.
std::vector<std::string> mode_facets(std::string_view mode) {
  std::vector<std::string> out;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < mode.size(); ++i) {
    if (mode[i] == '(') ++depth;
    if (mode[i] == ')' && depth > 0) --depth;
    if (depth == 0 && mode.compare(i, 2, ", ") == 0) {
      out.emplace_back(mode.substr(start, i - start));
      start = i + 2;
      ++i;
    }
  }
  out.emplace_back(mode.substr(start));
  return out;
}

// The order transport/capabilities.cpp's describe() gives facets.
int facet_rank(std::string_view facet) {
  constexpr std::string_view kOrder[] = {"full fetch", "no rename", "listing by", "active"};
  for (std::size_t i = 0; i < std::size(kOrder); ++i)
    if (facet.starts_with(kOrder[i])) return static_cast<int>(i);
  return static_cast<int>(std::size(kOrder));
}

}  // namespace

std::string merge_transport_modes(const std::vector<std::string>& modes) {
  if (modes.empty()) return {};
  std::vector<std::string> merged{mode_facets(modes.front()).front()};
  for (const std::string& mode : modes) {
    const std::vector<std::string> facets = mode_facets(mode);
    for (std::size_t i = 1; i < facets.size(); ++i)
      if (std::find(merged.begin() + 1, merged.end(), facets[i]) == merged.end())
        merged.push_back(facets[i]);
  }
  std::stable_sort(merged.begin() + 1, merged.end(),
                   [](const auto& a, const auto& b) { return facet_rank(a) < facet_rank(b); });
  std::string out;
  for (const std::string& facet : merged) out += (out.empty() ? "" : ", ") + facet;
  return out;
}

std::string ConnectionPool::mode() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> modes;
  if (writer_) modes.push_back(writer_->link.mode());
  for (const auto& c : readers_) modes.push_back(c->link.mode());
  for (const auto& c : also_writing_) modes.push_back(c->link.mode());
  return merge_transport_modes(modes);
}

std::optional<TransportActivity> ConnectionPool::activity() const {
  std::lock_guard lock(mu_);
  std::optional<TransportActivity> worst;
  auto consider = [&](const Conn& c) {
    auto a = c.link.activity();
    if (a && (!worst || a->silent > worst->silent)) worst = std::move(a);
  };
  for (const auto& c : readers_) consider(*c);
  for (const auto& c : also_writing_) consider(*c);
  if (writer_) consider(*writer_);
  return worst;
}

std::size_t ConnectionPool::open_connections() const {
  std::lock_guard lock(mu_);
  return readers_.size() + also_writing_.size() + (writer_ ? 1 : 0);
}

}  // namespace ftpchat
