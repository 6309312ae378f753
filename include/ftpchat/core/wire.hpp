// Binary fields of the wire formats (docs/FORMAT.md): big-endian integers and fixed-size
// byte strings appended to a buffer, and a bounds-checked reader that never reads past the end.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ftpchat {

inline void put_uint(std::string& out, std::uint64_t value, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((value >> shift) & 0xff));
}
inline void put_u8(std::string& out, std::uint8_t v) { put_uint(out, v, 1); }
inline void put_u16(std::string& out, std::uint16_t v) { put_uint(out, v, 2); }
inline void put_u64(std::string& out, std::uint64_t v) { put_uint(out, v, 8); }
template <std::size_t N>
void put_bytes(std::string& out, const std::array<std::uint8_t, N>& bytes) {
  out.append(reinterpret_cast<const char*>(bytes.data()), N);
}

// Reads fields in order; each read fails (nullopt) instead of running past the end, and
// done() says whether everything was consumed.
class WireReader {
 public:
  explicit WireReader(std::string_view in) : in_(in) {}
  std::optional<std::uint64_t> uint(int bytes) {
    if (in_.size() < static_cast<std::size_t>(bytes)) return std::nullopt;
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<std::uint8_t>(in_[i]);
    in_.remove_prefix(static_cast<std::size_t>(bytes));
    return v;
  }
  std::optional<std::uint8_t> u8() { return narrow<std::uint8_t>(uint(1)); }
  std::optional<std::uint16_t> u16() { return narrow<std::uint16_t>(uint(2)); }
  std::optional<std::uint64_t> u64() { return uint(8); }
  std::optional<std::string_view> bytes(std::size_t n) {
    if (in_.size() < n) return std::nullopt;
    const std::string_view out = in_.substr(0, n);
    in_.remove_prefix(n);
    return out;
  }
  template <std::size_t N>
  std::optional<std::array<std::uint8_t, N>> array() {
    auto raw = bytes(N);
    if (!raw) return std::nullopt;
    std::array<std::uint8_t, N> out{};
    for (std::size_t i = 0; i < N; ++i) out[i] = static_cast<std::uint8_t>((*raw)[i]);
    return out;
  }
  std::string_view rest() {
    const std::string_view out = in_;
    in_ = {};
    return out;
  }
  std::size_t remaining() const { return in_.size(); }
  bool done() const { return in_.empty(); }

 private:
  template <typename T>
  static std::optional<T> narrow(std::optional<std::uint64_t> v) {
    if (!v) return std::nullopt;
    return static_cast<T>(*v);
  }
  std::string_view in_;
};

}  // namespace ftpchat
