// LogStore: rendered log in sealed fixed-size blocks in an unlinked temporary file.
// Rules:
//  1. only full blocks are sealed, each exactly once, so block i's nonce can be i itself:
//     the key is random per store and never reused with another nonce sequence;
//  2. the last partial block stays in memory until it fills;
//  3. the associated data is the block index, so blocks cannot be swapped in the file.
#include "ftpchat/room/log_store.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace ftpchat {
namespace {

constexpr std::size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;

std::filesystem::path default_dir() {
  if (const char* tmp = std::getenv("TMPDIR"); tmp && *tmp) return tmp;
  return "/var/tmp";
}

// An anonymous file: O_TMPFILE where the file system has it, else mkstemp + unlink.
int open_anonymous(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  std::string pattern = (dir / "ftpchatfs-log-XXXXXX").string();
  fd = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (fd >= 0) ::unlink(pattern.c_str());
  return fd;
}

std::array<unsigned char, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> nonce_for(std::uint64_t i) {
  std::array<unsigned char, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> n{};
  for (int b = 0; b < 8; ++b) n[b] = static_cast<unsigned char>(i >> (8 * b));
  return n;
}

std::array<unsigned char, 8> ad_for(std::uint64_t i) {
  std::array<unsigned char, 8> ad{};
  for (int b = 0; b < 8; ++b) ad[b] = static_cast<unsigned char>(i >> (8 * b));
  return ad;
}

}  // namespace

LogStore::LogStore(std::filesystem::path dir, std::size_t block_bytes)
    : block_bytes_(std::max<std::size_t>(block_bytes, 1)),
      key_(crypto_aead_xchacha20poly1305_ietf_KEYBYTES) {
  crypto_aead_xchacha20poly1305_ietf_keygen(key_.data());
  fd_ = open_anonymous(dir.empty() ? default_dir() : dir);
}

LogStore::~LogStore() {
  if (fd_ >= 0) ::close(fd_);
}

void LogStore::append(std::string_view text) {
  while (!text.empty()) {
    const std::size_t take = std::min(block_bytes_ - tail_.size(), text.size());
    tail_.append(text.substr(0, take));
    text.remove_prefix(take);
    if (tail_.size() == block_bytes_) {
      seal_block(tail_);
      tail_.clear();
    }
  }
}

void LogStore::seal_block(std::string_view plain) {
  const std::uint64_t index = sealed_blocks_;
  std::string sealed(plain.size() + kTag, '\0');
  const auto nonce = nonce_for(index);
  const auto ad = ad_for(index);
  unsigned long long sealed_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<unsigned char*>(sealed.data()), &sealed_len,
      reinterpret_cast<const unsigned char*>(plain.data()), plain.size(), ad.data(), ad.size(),
      nullptr, nonce.data(), key_.data());
  if (fd_ >= 0) {
    const off_t at = static_cast<off_t>(index * (block_bytes_ + kTag));
    std::size_t done = 0;
    while (done < sealed.size()) {
      const ssize_t n = ::pwrite(fd_, sealed.data() + done, sealed.size() - done,
                                 at + static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    if (done < sealed.size()) {
      // The disk is full or failing: move everything written so far to memory and go on there.
      for (std::uint64_t i = 0; i < index; ++i) {
        std::string old(block_bytes_ + kTag, '\0');
        const ssize_t n = ::pread(fd_, old.data(), old.size(),
                                  static_cast<off_t>(i * (block_bytes_ + kTag)));
        if (n != static_cast<ssize_t>(old.size())) old.clear();
        memory_blocks_.push_back(std::move(old));
      }
      ::close(fd_);
      fd_ = -1;
      memory_blocks_.push_back(std::move(sealed));
    }
  } else {
    memory_blocks_.push_back(std::move(sealed));
  }
  ++sealed_blocks_;
}

const std::string* LogStore::block(std::uint64_t index) const {
  if (index == cached_index_) return &cached_plain_;
  std::string sealed;
  if (fd_ >= 0) {
    sealed.assign(block_bytes_ + kTag, '\0');
    std::size_t done = 0;
    while (done < sealed.size()) {
      const ssize_t n = ::pread(fd_, sealed.data() + done, sealed.size() - done,
                                static_cast<off_t>(index * (block_bytes_ + kTag) + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return nullptr;
      done += static_cast<std::size_t>(n);
    }
  } else {
    sealed = memory_blocks_[index];
  }
  if (sealed.size() < kTag) return nullptr;
  std::string plain(sealed.size() - kTag, '\0');
  const auto nonce = nonce_for(index);
  const auto ad = ad_for(index);
  unsigned long long plain_len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &plain_len, nullptr,
          reinterpret_cast<const unsigned char*>(sealed.data()), sealed.size(), ad.data(),
          ad.size(), nonce.data(), key_.data()) != 0)
    return nullptr;
  cached_plain_ = std::move(plain);
  cached_index_ = index;
  return &cached_plain_;
}

std::string LogStore::read(std::uint64_t offset, std::size_t length) const {
  std::string out;
  const std::uint64_t end = std::min<std::uint64_t>(size(), offset + length);
  const std::uint64_t sealed_end = sealed_blocks_ * block_bytes_;
  if (offset >= end) return out;
  out.reserve(static_cast<std::size_t>(end - offset));
  while (offset < end) {
    if (offset >= sealed_end) {
      out.append(tail_, static_cast<std::size_t>(offset - sealed_end),
                 static_cast<std::size_t>(end - offset));
      break;
    }
    const std::uint64_t index = offset / block_bytes_;
    const std::string* plain = block(index);
    if (!plain) return out;  // stop at the first unreadable block: a short read, never garbage
    const std::size_t from = static_cast<std::size_t>(offset - index * block_bytes_);
    const std::size_t take =
        static_cast<std::size_t>(std::min<std::uint64_t>(block_bytes_ - from, end - offset));
    out.append(*plain, from, take);
    offset += take;
  }
  return out;
}

}  // namespace ftpchat
