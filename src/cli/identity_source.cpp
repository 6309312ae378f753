// load_identity / create_identity: the identity file's rules (identity/identity_file.hpp)
// plus where the file is and where its passphrase comes from.
#include "identity_source.hpp"

#include "ftpchat/identity/identity_file.hpp"
#include "passphrase.hpp"
#include "user_paths.hpp"

namespace ftpchat {

namespace {
constexpr const char* kIdPassphraseEnv = "FTPCHAT_ID_PASSPHRASE";

std::filesystem::path chosen(const std::string& path) {
  return path.empty() ? default_identity_path() : std::filesystem::path(path);
}
}  // namespace

std::filesystem::path default_identity_path() { return user_data_dir() / "identity"; }

Result<std::shared_ptr<const Identity>> load_identity(const std::string& path,
                                                      const std::string& passfile) {
  const std::filesystem::path file = chosen(path);
  auto text = read_identity_file(file);
  if (!text) {
    if (text.error().code == Errc::not_found && path.empty())
      return std::shared_ptr<const Identity>();  // no identity: member rooms stay closed
    return text.error();
  }
  auto parsed = parse_identity_file(*text);
  if (!parsed)
    return make_error(Errc::bad_data, "identity file " + file.string() + ": " + parsed.error().detail);
  SecretBytes passphrase;
  if (parsed->sealed) {
    auto secret = obtain_secret(passfile, kIdPassphraseEnv, "Identity passphrase: ");
    if (!secret) return secret.error();
    passphrase = std::move(*secret);
  }
  auto id = open_identity_file(*parsed, parsed->sealed ? &passphrase : nullptr);
  if (!id) {
    if (id.error().code == Errc::wrong_passphrase)
      return make_error(Errc::wrong_passphrase,
                        "the passphrase does not open identity file " + file.string());
    return make_error(id.error().code, "identity file " + file.string() + ": " + id.error().detail);
  }
  return std::shared_ptr<const Identity>(std::make_shared<Identity>(std::move(id.value())));
}

Result<std::filesystem::path> create_identity(const std::string& path, bool seal,
                                              const std::string& passfile,
                                              std::shared_ptr<const Identity>& created) {
  const std::filesystem::path file = chosen(path);
  std::error_code ec;
  if (std::filesystem::exists(file, ec))
    return make_error(Errc::exists, "identity file " + file.string() +
                                        " already exists; it is kept (ftpchat id show prints it)");
  Identity id = Identity::generate();
  std::string text;
  if (seal) {
    auto pass = obtain_secret(passfile, kIdPassphraseEnv, "New identity passphrase: ", true);
    if (!pass) return pass.error();
    auto sealed = format_sealed_identity_file(id, *pass);
    if (!sealed) return sealed.error();
    text = std::move(*sealed);
  } else {
    text = format_identity_file(id);
  }
  if (auto written = write_identity_file(file, text); !written) return written.error();
  created = std::make_shared<Identity>(std::move(id));
  return file;
}

}  // namespace ftpchat
