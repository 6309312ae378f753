// Names and user-facing sentences for error codes.
#include "ftpchat/core/error.hpp"

#include <cerrno>
#include <cstring>

namespace ftpchat {

const char* errc_name(Errc code) {
  switch (code) {
    case Errc::not_found: return "not found";
    case Errc::exists: return "already exists";
    case Errc::permission: return "permission denied";
    case Errc::login_refused: return "login refused";
    case Errc::unreachable: return "server unreachable";
    case Errc::timeout: return "timed out";
    case Errc::tls: return "secure connection failed";
    case Errc::protocol: return "protocol error";
    case Errc::unsupported: return "not supported by the server";
    case Errc::io: return "i/o error";
    case Errc::no_space: return "local disk full";
    case Errc::bad_data: return "bad data";
    case Errc::wrong_passphrase: return "wrong passphrase";
    case Errc::too_large: return "too large";
    case Errc::invalid_argument: return "invalid argument";
    case Errc::busy: return "busy";
    case Errc::cancelled: return "cancelled";
    case Errc::not_member: return "not a member";
    case Errc::internal: return "internal error";
  }
  return "unknown error";
}

static const char* advice(Errc code) {
  switch (code) {
    case Errc::not_found: return "check the path";
    case Errc::exists: return "choose another name";
    case Errc::permission: return "check the account's permissions on the server";
    case Errc::login_refused: return "check the user name and password (URL or ~/.netrc)";
    case Errc::unreachable: return "check the host, the port and that the server is running";
    case Errc::timeout: return "check the network and the server's load";
    case Errc::tls: return "check the certificate or host key (see -o cacert, -o insecure)";
    case Errc::protocol: return "run with -d to see the exchange";
    case Errc::unsupported: return "use a server that supports it";
    case Errc::io: return "check the local disk";
    case Errc::no_space: return "free some space on that disk";
    case Errc::bad_data: return "the data on the server is damaged";
    case Errc::wrong_passphrase: return "check the passphrase (-o passfile, FTPCHAT_PASSPHRASE)";
    case Errc::too_large: return "split the message";
    case Errc::invalid_argument: return "see --help";
    case Errc::busy: return "wait for the other user of it to finish";
    case Errc::cancelled: return "";
    case Errc::not_member:
      return "an owner or admin of the room can invite your public id (ftpchat id show)";
    case Errc::internal: return "please report this bug";
  }
  return "";
}

Error os_error(const std::string& what, int err) {
  return make_error(err == ENOSPC || err == EDQUOT ? Errc::no_space : Errc::io,
                    what + ": " + std::strerror(err));
}

std::string describe(const Error& err) {
  std::string out = err.detail.empty() ? errc_name(err.code) : err.detail;
  const char* what_to_do = advice(err.code);
  if (*what_to_do != '\0') {
    out += "; ";
    out += what_to_do;
  }
  return out;
}

}  // namespace ftpchat
