// SecretBytes: guarded, locked, wiped memory from libsodium.
#include "ftpchat/core/secret.hpp"

#include <sodium.h>

#include <cstring>
#include <new>
#include <utility>

namespace ftpchat {

SecretBytes::SecretBytes(std::size_t size) : size_(size) {
  if (size == 0) return;
  // sodium_malloc aborts before sodium_init (page size unknown); init is idempotent and
  // thread-safe, so every user of secrets is safe whatever its entry point.
  if (sodium_init() < 0) throw std::bad_alloc();
  data_ = static_cast<std::uint8_t*>(sodium_malloc(size));
  if (data_ == nullptr) throw std::bad_alloc();
  std::memset(data_, 0, size);
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) sodium_free(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SecretBytes::~SecretBytes() {
  if (data_ != nullptr) sodium_free(data_);  // wipes before freeing
}

SecretBytes SecretBytes::from(std::string_view bytes) {
  SecretBytes s(bytes.size());
  if (!bytes.empty()) std::memcpy(s.data_, bytes.data(), bytes.size());
  return s;
}

SecretBytes SecretBytes::clone() const { return from(view()); }

}  // namespace ftpchat
