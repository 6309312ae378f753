// ftpchat id certify, id show --ssh and id check: the public id signed with the user's SSH key by
// ssh-keygen -Y sign / -Y verify (namespace "ftpchat-id", message "<public id>\n"), so people
// can check an id against SSH keys they already trust. Our code never reads the SSH key:
// ssh-keygen does, and asks for its passphrase (or uses ssh-agent) itself.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/exit_status.hpp"
#include "cli/user_paths.hpp"
#include "commands.hpp"
#include "ftpchat/identity/public_id.hpp"
#include "run_program.hpp"
#include "session.hpp"

namespace ftpchat {

namespace {

constexpr const char* kNamespace = "ftpchat-id";
constexpr std::string_view kBegin = "-----BEGIN SSH SIGNATURE-----";
constexpr std::string_view kEnd = "-----END SSH SIGNATURE-----";
constexpr std::size_t kMaxSignatureInput = 16384;  // an armored signature is under 2 KiB

// A private folder under $TMPDIR (else /tmp) for the files ssh-keygen reads or writes, removed
// with its contents at the end of the scope.
class TempDir {
 public:
  TempDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp == '/' ? tmp : "/tmp") + "/ftpchat-ssh-XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  bool ok() const { return !path_.empty(); }
  std::filesystem::path file(const char* name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

bool write_text(const std::filesystem::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  return static_cast<bool>(out);
}

std::optional<std::string> read_text(std::istream& in) {
  std::string text;
  char buf[4096];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxSignatureInput) return std::nullopt;
  }
  return text;
}

std::string trimmed(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  return std::string(s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1));
}

// The last non-empty line of a program's stderr: its reason.
std::string last_line(const std::string& text) {
  std::string last, line;
  std::istringstream in(text);
  while (std::getline(in, line))
    if (!trimmed(line).empty()) last = trimmed(line);
  return last;
}

// The armored signature in `text`, from its BEGIN line to its END line, or "" when none.
std::string armored_signature(std::string_view text) {
  const auto begin = text.find(kBegin);
  if (begin == std::string_view::npos) return "";
  const auto end = text.find(kEnd, begin);
  if (end == std::string_view::npos) return "";
  return std::string(text.substr(begin, end + kEnd.size() - begin)) + "\n";
}

// ssh-keygen with `args`, or the one-line error of it not being there.
Result<ProgramResult> ssh_keygen(std::vector<std::string> args,
                                 const std::optional<std::string>& input,
                                 ProgramStderr stderr_mode = ProgramStderr::capture) {
  args.insert(args.begin(), "ssh-keygen");
  auto run = run_program(args, input, stderr_mode);
  if (!run && run.error().code == Errc::not_found)
    return make_error(Errc::not_found, "ssh-keygen not found: apt-get install openssh-client");
  if (!run) return make_error(run.error().code, "cannot run ssh-keygen: " + run.error().detail);
  return run;
}

std::filesystem::path signature_path(const std::filesystem::path& identity_file) {
  return identity_file.string() + ".sshsig";
}

}  // namespace

int run_id_certify(const CommonOptions& opts, const std::string& ssh_key) {
  std::filesystem::path file;
  std::string public_id;
  if (int rc = own_public_id(opts, file, public_id); rc != kExitOk) return rc;
  const std::filesystem::path key =
      ssh_key.empty() ? home_dir() / ".ssh/id_ed25519" : std::filesystem::path(ssh_key);
  std::error_code ec;
  if (!std::filesystem::exists(key, ec))
    return fail(kExitUsage, "no SSH key at " + key.string() +
                                "; name one with --ssh-key FILE (a private key, or the .pub of a "
                                "key that ssh-agent holds)");
  TempDir dir;
  const std::filesystem::path message = dir.file("public-id");
  if (!dir.ok() || !write_text(message, public_id + "\n"))
    return fail(kExitFailure, "cannot write a temporary file; check TMPDIR");
  // stdin and stderr stay the user's: ssh-keygen asks for a passphrase or a touch there.
  auto signed_ =
      ssh_keygen({"-q", "-Y", "sign", "-f", key.string(), "-n", kNamespace, message.string()},
                 std::nullopt, ProgramStderr::inherit);
  if (!signed_) return fail(kExitFailure, signed_.error().detail);
  std::ifstream in(message.string() + ".sig", std::ios::binary);
  auto text = read_text(in);
  const std::string signature = text ? armored_signature(*text) : "";
  if (signed_->exit_status != 0 || signature.empty())
    return fail(kExitFailure, "ssh-keygen could not sign with " + key.string() +
                                  " (its reason is above); check the key and its passphrase");

  const std::filesystem::path out = signature_path(file);
  const std::filesystem::path tmp = out.string() + ".tmp";
  if (!write_text(tmp, signature) || ::chmod(tmp.c_str(), 0644) != 0 ||
      ::rename(tmp.c_str(), out.c_str()) != 0) {
    std::filesystem::remove(tmp, ec);
    return fail(kExitFailure, "cannot write " + out.string());
  }
  std::fprintf(stderr,
               "ftpchat: public id signed with SSH key %s, signature written to %s; share both "
               "in one paste: ftpchat id show --ssh (others check it with ftpchat id check)\n",
               key.c_str(), out.c_str());
  return kExitOk;
}

int print_certified_id(const std::filesystem::path& identity_file, const std::string& public_id) {
  const std::filesystem::path sig = signature_path(identity_file);
  std::ifstream in(sig, std::ios::binary);
  if (!in) return fail(kExitFailure, "not certified yet: run ftpchat id certify");
  auto text = read_text(in);
  const std::string signature = text ? armored_signature(*text) : "";
  if (signature.empty())
    return fail(kExitFailure,
                sig.string() + " holds no SSH signature: run ftpchat id certify again");
  // The signature must be for this id: an identity made again keeps the old .sshsig beside it.
  TempDir dir;
  if (!dir.ok() || !write_text(dir.file("sig"), signature))
    return fail(kExitFailure, "cannot write a temporary file; check TMPDIR");
  auto checked =
      ssh_keygen({"-Y", "check-novalidate", "-n", kNamespace, "-s", dir.file("sig").string()},
                 public_id + "\n");
  if (!checked) return fail(kExitFailure, checked.error().detail);
  if (checked->exit_status != 0)
    return fail(kExitFailure, sig.string() + " is not a signature of " + public_id +
                                  " (made for an earlier identity?): run ftpchat id certify again");
  std::printf("%s\n%s", public_id.c_str(), signature.c_str());
  return kExitOk;
}

int run_id_check(const std::string& public_id_arg, const std::string& signature_arg,
                 const std::string& allowed_signers, const std::string& principal) {
  std::optional<std::string> input;
  if (signature_arg == "-") {
    input = read_text(std::cin);
  } else {
    std::ifstream in(signature_arg, std::ios::binary);
    if (!in) return fail(kExitUsage, "cannot read signature file " + signature_arg);
    input = read_text(in);
  }
  if (!input) return fail(kExitUsage, "the signature input is too long for an SSH signature");
  const std::string signature = armored_signature(*input);
  const std::string where = signature_arg == "-" ? "stdin" : signature_arg;
  if (signature.empty())
    return fail(kExitUsage, where +
                                " holds no SSH signature (-----BEGIN SSH SIGNATURE----- ...); "
                                "give the output of ftpchat id show --ssh");
  // A paste of `ftpchat id show --ssh` starts with the id it certifies.
  const std::string pasted_id = trimmed(std::string_view(*input).substr(0, input->find(kBegin)));
  std::string public_id = trimmed(public_id_arg);
  if (public_id.empty()) public_id = pasted_id;
  if (public_id.empty())
    return fail(
        kExitUsage,
        "no public id to check: give PUBLIC_ID, or the whole output of ftpchat id show --ssh");
  if (auto key = parse_public_id(public_id); !key) return fail(kExitUsage, key.error().detail);
  if (!pasted_id.empty() && pasted_id != public_id)
    return fail(kExitFailure, "PUBLIC_ID differs from the id at the top of " + where +
                                  "; check that both come from the same person");
  if (::access(allowed_signers.c_str(), R_OK) != 0)
    return fail(kExitUsage, "cannot read allowed signers file " + allowed_signers);

  TempDir dir;
  if (!dir.ok() || !write_text(dir.file("sig"), signature))
    return fail(kExitFailure, "cannot write a temporary file; check TMPDIR");
  auto verified = ssh_keygen({"-Y", "verify", "-f", allowed_signers, "-I", principal, "-n",
                              kNamespace, "-s", dir.file("sig").string()},
                             public_id + "\n");
  if (!verified) return fail(kExitFailure, verified.error().detail);
  if (verified->exit_status == 0) {
    // ssh-keygen says: Good "ftpchat-id" signature for NAME with ED25519 key SHA256:...
    const std::string good = last_line(verified->out);
    const auto with = good.find(" with ");
    const std::string key = with == std::string::npos ? "?" : good.substr(with + 6);
    std::printf("%s is certified by %s's SSH key (%s)\n", public_id.c_str(), principal.c_str(),
                key.c_str());
    return kExitOk;
  }
  const std::string reason = last_line(verified->err);
  if (reason.empty())  // ssh-keygen names no reason when the signer's key is not NAME's
    return fail(kExitFailure,
                public_id + " is not certified by " + principal + ": " + allowed_signers +
                    " lists no key of " + principal +
                    " that made this signature; check --principal and their line in it");
  if (reason.find("incorrect signature") != std::string::npos)
    return fail(kExitFailure,
                public_id + " is not certified by " + principal +
                    ": the signature is for another public id (or was altered); check "
                    "that the id and the signature came together");
  return fail(kExitFailure,
              public_id + " is not certified by " + principal + ": ssh-keygen: " + reason);
}

}  // namespace ftpchat
