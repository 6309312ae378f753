// Identity file text (parse, format, seal) and its careful reading and writing on disk.
#include "ftpchat/identity/identity_file.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "ftpchat/core/bytes.hpp"
#include "ftpchat/identity/public_id.hpp"
#include "ftpchat/record/text_fields.hpp"

namespace ftpchat {

namespace {

constexpr std::string_view kMagicLine = "ftpchatfs-identity v1";
constexpr std::array<std::string_view, 2> kKeywords = {"public", "secret"};
constexpr std::string_view kPlain = "plain ";
constexpr std::size_t kNonceBytes = 24;
constexpr std::size_t kBoxBytes = kNonceBytes + 32 + 16;

Error bad(std::string detail) { return make_error(Errc::bad_data, std::move(detail)); }

std::string box_ad(const PublicKey& key) {
  return std::string(kMagicLine) + std::string(key_chars(key));
}

Result<SecretBytes> box_key(const SecretBytes& passphrase, const KdfParams& kdf) {
  return derive_master_key(passphrase, kdf);  // Argon2id, 32 bytes
}

}  // namespace

Result<IdentityFile> parse_identity_file(std::string_view text) {
  if (text.size() > kMaxIdentityFileBytes)
    return bad("identity file is larger than " + std::to_string(kMaxIdentityFileBytes) + " bytes");
  if (text.substr(0, text.find('\n')) != kMagicLine)
    return bad("not an ftpchat identity file (its first line should be " +
               std::string(kMagicLine) + ")");
  auto values = parse_keyword_lines(text, "identity file", kMagicLine.size(), kKeywords);
  if (!values) return values.error();
  IdentityFile file;
  auto key = parse_public_id((*values)[0]);
  if (!key) return bad("identity file: " + key.error().detail);
  file.public_key = *key;
  const std::string_view secret = (*values)[1];
  if (secret.starts_with(kPlain)) {
    auto seed = from_base64(secret.substr(kPlain.size()));
    if (!seed || seed->size() != 32) return bad("identity file: the seed is not 32 bytes of base64url");
    file.seed = SecretBytes::from(*seed);
    sodium_memzero(seed->data(), seed->size());
    return file;
  }
  // "argon2id13 ops=.. mem=.. salt=.. box=..": the kdf field, then the box.
  const std::size_t box_at = secret.rfind(" box=");
  if (box_at == std::string_view::npos)
    return bad("identity file: the secret line is neither plain nor argon2id13 ... box=");
  auto kdf = parse_kdf_line(secret.substr(0, box_at));
  if (!kdf) return bad("identity file: " + kdf.error().detail);
  auto box = from_base64(secret.substr(box_at + 5));
  if (!box || box->size() != kBoxBytes) return bad("identity file: the box is not 72 bytes of base64url");
  file.sealed = true;
  file.kdf = *kdf;
  file.box = std::move(*box);
  return file;
}

Result<Identity> open_identity_file(const IdentityFile& file, const SecretBytes* passphrase) {
  SecretBytes seed;
  if (!file.sealed) {
    seed = file.seed.clone();
  } else {
    if (passphrase == nullptr)
      return make_error(Errc::invalid_argument, "the identity file is sealed with a passphrase");
    auto key = box_key(*passphrase, file.kdf);
    if (!key) return key.error();
    seed = SecretBytes(32);
    unsigned long long len = 0;
    const auto* box = reinterpret_cast<const unsigned char*>(file.box.data());
    const std::string ad = box_ad(file.public_key);
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            seed.data(), &len, nullptr, box + kNonceBytes, file.box.size() - kNonceBytes,
            reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), box, key->data()) != 0)
      return make_error(Errc::wrong_passphrase, "the passphrase does not open the identity file");
  }
  auto id = Identity::from_seed(seed);
  if (!id) return id.error();
  if (id->public_key() != file.public_key)
    return bad("the identity file is damaged: its secret key does not match its public id");
  return id;
}

std::string format_identity_file(const Identity& id) {
  return std::string(kMagicLine) + "\npublic " + format_public_id(id.public_key()) +
         "\nsecret plain " + to_base64(id.seed().view()) + "\n";
}

Result<std::string> format_sealed_identity_file(const Identity& id, const SecretBytes& passphrase,
                                                const KdfParams& kdf, const Nonce& nonce) {
  auto key = box_key(passphrase, kdf);
  if (!key) return key.error();
  std::string box(kBoxBytes, '\0');
  std::copy(nonce.begin(), nonce.end(), box.begin());
  const std::string ad = box_ad(id.public_key());
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<unsigned char*>(box.data() + kNonceBytes), &len, id.seed().data(),
      id.seed().size(), reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr,
      nonce.data(), key->data());
  return std::string(kMagicLine) + "\npublic " + format_public_id(id.public_key()) + "\nsecret " +
         format_kdf_line(kdf) + " box=" + to_base64(box) + "\n";
}

Result<std::string> format_sealed_identity_file(const Identity& id, const SecretBytes& passphrase) {
  KdfParams kdf;
  kdf.opslimit = crypto_pwhash_argon2id_OPSLIMIT_MODERATE;
  kdf.memlimit = crypto_pwhash_argon2id_MEMLIMIT_MODERATE;
  randombytes_buf(kdf.salt.data(), kdf.salt.size());
  Nonce nonce{};
  randombytes_buf(nonce.data(), nonce.size());
  return format_sealed_identity_file(id, passphrase, kdf, nonce);
}

Result<std::string> read_identity_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    const int err = errno;
    return make_error(err == ENOENT ? Errc::not_found : Errc::io,
                      "cannot open identity file " + path.string() + ": " + std::strerror(err));
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error(Errc::io, "identity file " + path.string() + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return make_error(Errc::permission, "identity file " + path.string() + " has mode " + mode +
                                            ": others could read it; run chmod 600 " +
                                            path.string());
  }
  std::string text(kMaxIdentityFileBytes + 1, '\0');
  std::size_t got = 0;
  for (;;) {
    const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
    if (got == text.size()) break;
  }
  ::close(fd);
  if (got > kMaxIdentityFileBytes) return bad("identity file " + path.string() + " is too large");
  text.resize(got);
  return text;
}

Result<void> write_identity_file(const std::filesystem::path& path, std::string_view text) {
  const auto dir = path.parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) {
      std::filesystem::create_directories(dir, ec);
      if (ec) return make_error(Errc::io, "cannot create " + dir.string() + ": " + ec.message());
      std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
    }
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int err = errno;
    if (err == EEXIST)
      return make_error(Errc::exists, "identity file " + path.string() +
                                          " already exists; it is kept (choose another file)");
    return make_error(Errc::io, "cannot create identity file " + path.string() + ": " +
                                    std::strerror(err));
  }
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (!ok) {
    ::unlink(path.c_str());
    return make_error(Errc::io, "cannot write identity file " + path.string());
  }
  return {};
}

}  // namespace ftpchat
