// Errors as values: every module boundary returns Result<T> instead of throwing.
// The FUSE layer maps Errc to errno in one place (src/fuse/errno_map.cpp).
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace ftpchat {

enum class Errc {
  not_found,          // remote or local object missing
  exists,             // exclusive create found the object already there
  permission,         // server or OS refused access
  login_refused,      // credentials rejected
  unreachable,        // connect failed, DNS failed, connection dropped
  timeout,            // operation took too long
  tls,                // TLS / certificate / host key verification failed
  protocol,           // server answered something we cannot use
  unsupported,        // server lacks a needed command
  io,                 // local I/O error
  no_space,           // the local disk (state or cache folder) is full or over quota
  bad_data,           // data failed to parse or authenticate
  wrong_passphrase,   // key check failed
  too_large,          // message over the size limit
  invalid_argument,   // caller passed something unusable
  busy,               // resource (e.g. writer id) locked by someone else
  cancelled,          // the caller stopped the operation (e.g. a read's sink said stop)
  not_member,         // this identity is not (or no longer) a member of a member room
  internal,           // a bug: should not happen
};

struct Error {
  Errc code;
  std::string detail;  // lower-case sentence fragment, no trailing period
};

// Short name of an error code ("not found", "login refused", ...).
const char* errc_name(Errc code);

// The way to the server failed (a connection dropped or refused, no answer in time), not the
// request: its outcome is unknown (it may have landed), and it may well work on a new
// connection.
inline bool on_the_way(Errc code) { return code == Errc::unreachable || code == Errc::timeout; }

// One sentence a user can act on: what went wrong and what to do about it.
std::string describe(const Error& err);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT(implicit)
  Result(Error err) : v_(std::move(err)) {}           // NOLINT(implicit)
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error err) : err_(std::move(err)), ok_(false) {}  // NOLINT(implicit)
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { assert(!ok_); return err_; }

 private:
  Error err_{Errc::internal, ""};
  bool ok_ = true;
};

inline Error make_error(Errc code, std::string detail) { return Error{code, std::move(detail)}; }

// A failed system call on local files: "<what>: <strerror(err)>", as no_space when the disk
// is full or over quota (ENOSPC, EDQUOT), else io.
Error os_error(const std::string& what, int err);

}  // namespace ftpchat
