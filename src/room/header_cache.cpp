// HeaderCache: one small file per room (see the header for what is kept and why it is safe).
#include "ftpchat/room/header_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

#include "ftpchat/core/bytes.hpp"
#include "ftpchat/record/header.hpp"
#include "ftpchat/room/room_layout.hpp"

namespace ftpchat {

namespace fs = std::filesystem;

fs::path HeaderCache::file_of(const std::string& folder) const {
  if (!layout::is_room_folder(folder)) return {};
  return root_ / folder / std::string(layout::kHeaderFile);
}

std::optional<std::string> HeaderCache::load(const std::string& folder) const {
  const fs::path file = file_of(folder);
  std::error_code ec;
  if (file.empty() || fs::file_size(file, ec) > kMaxHeaderV2Bytes || ec) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return std::nullopt;
  if (raw.empty()) return std::nullopt;
  return raw;
}

void HeaderCache::store(const std::string& folder, std::string_view raw) const {
  const fs::path file = file_of(folder);
  if (file.empty()) return;
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  for (fs::path dir = file.parent_path(); dir.string().size() >= root_.string().size();
       dir = dir.parent_path())
    fs::permissions(dir, fs::perms::owner_all, ec);
  const fs::path tmp = file.parent_path() / (".header.tmp-" + to_hex(random_id()));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return;
  std::size_t done = 0;
  while (done < raw.size()) {
    const ssize_t n = ::write(fd, raw.data() + done, raw.size() - done);
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  const bool ok = ::close(fd) == 0 && done == raw.size();
  if (!ok || ::rename(tmp.c_str(), file.c_str()) != 0) ::unlink(tmp.c_str());
}

void HeaderCache::forget(const std::string& folder) const {
  const fs::path file = file_of(folder);
  std::error_code ec;
  if (!file.empty()) fs::remove(file, ec);
}

}  // namespace ftpchat
