// Grants: X25519 shares through libsodium (crypto_scalarmult), wrap keys by BLAKE2b, slots and
// links by XChaCha20-Poly1305.
#include "ftpchat/identity/grant.hpp"

#include <sodium.h>

#include <algorithm>

#include "ftpchat/core/wire.hpp"

namespace ftpchat {

namespace {

constexpr std::uint8_t kGrantVersion = 2;
constexpr std::size_t kSlotBytes = 32 + 16;
constexpr std::size_t kLinkBytes = 16 + 32;
constexpr std::size_t kNonceBytes = 24;
constexpr std::size_t kTagBytes = 16;
constexpr char kEpochContext[crypto_kdf_CONTEXTBYTES + 1] = "ftpchate";
constexpr std::string_view kEpochIdMessage = "ftpchatfs v2 epoch id";
constexpr std::string_view kWrapPrefix = "ftpchatfs v2 wrap";
constexpr std::string_view kLinksPrefix = "ftpchatfs v2 links";

Error bad(std::string detail) { return make_error(Errc::bad_data, std::move(detail)); }

const unsigned char* uc(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string links_ad(const Id128& room_id, const EpochId& epoch) {
  return std::string(kLinksPrefix) + std::string(as_chars(room_id)) + std::string(as_chars(epoch));
}

// w = BLAKE2b-256("ftpchatfs v2 wrap" || shared || E_pk || X_r || room_id || epoch_id)
SecretBytes wrap_key(const SecretBytes& shared, const X25519Key& ephemeral,
                     const X25519Key& recipient, const Id128& room_id, const EpochId& epoch) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 32);
  crypto_generichash_update(&st, uc(kWrapPrefix), kWrapPrefix.size());
  crypto_generichash_update(&st, shared.data(), shared.size());
  crypto_generichash_update(&st, ephemeral.data(), ephemeral.size());
  crypto_generichash_update(&st, recipient.data(), recipient.size());
  crypto_generichash_update(&st, room_id.data(), room_id.size());
  crypto_generichash_update(&st, epoch.data(), epoch.size());
  SecretBytes w(32);
  crypto_generichash_final(&st, w.data(), w.size());
  return w;
}

std::string seal_with(const SecretBytes& key, const unsigned char* nonce, std::string_view plain,
                      std::string_view ad) {
  std::string out(plain.size() + kTagBytes, '\0');
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(reinterpret_cast<unsigned char*>(out.data()), &len,
                                             uc(plain), plain.size(), uc(ad), ad.size(), nullptr,
                                             nonce, key.data());
  return out;
}

std::optional<SecretBytes> open_with(const SecretBytes& key, const unsigned char* nonce,
                                     std::string_view sealed, std::string_view ad) {
  if (sealed.size() < kTagBytes) return std::nullopt;
  SecretBytes out(sealed.size() - kTagBytes);
  unsigned long long len = 0;
  unsigned char scratch = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(out.empty() ? &scratch : out.data(), &len,
                                                 nullptr, uc(sealed), sealed.size(), uc(ad),
                                                 ad.size(), nonce, key.data()) != 0)
    return std::nullopt;
  return out;
}

}  // namespace

EpochId epoch_id_of(const SecretBytes& key) {
  EpochId id{};
  crypto_generichash(id.data(), id.size(), uc(kEpochIdMessage), kEpochIdMessage.size(),
                     key.data(), key.size());
  return id;
}

SecretBytes epoch_subkey(const SecretBytes& key, EpochSubkey n) {
  SecretBytes out(32);
  if (key.size() == crypto_kdf_KEYBYTES)
    crypto_kdf_derive_from_key(out.data(), out.size(), static_cast<std::uint64_t>(n),
                               kEpochContext, key.data());
  return out;
}

EpochKey epoch_key_from(SecretBytes key) {
  const EpochId id = epoch_id_of(key);
  return EpochKey{id, std::move(key)};
}

EpochKey random_epoch_key() {
  SecretBytes key(32);
  randombytes_buf(key.data(), key.size());
  return epoch_key_from(std::move(key));
}

Result<std::string> make_grant_with(const Id128& room_id, const EpochKey& epoch,
                                    const std::vector<PublicKey>& recipients,
                                    const std::vector<EpochKey>& parents,
                                    const SecretBytes& ephemeral_secret, const Nonce& links_nonce) {
  if (recipients.empty() || recipients.size() > kMaxGrantSlots)
    return make_error(Errc::invalid_argument, "a grant has 1 to 1000 recipients");
  if (parents.size() > kMaxGrantLinks)
    return make_error(Errc::invalid_argument, "a grant links at most 16 parent epochs");
  X25519Key ephemeral{};
  crypto_scalarmult_base(ephemeral.data(), ephemeral_secret.data());
  std::string out;
  put_u8(out, kGrantVersion);
  put_bytes(out, epoch.id);
  put_bytes(out, ephemeral);
  put_u16(out, static_cast<std::uint16_t>(recipients.size()));
  static constexpr unsigned char kZeroNonce[kNonceBytes] = {};
  for (const PublicKey& pk : recipients) {
    auto x = x25519_public_of(pk);
    if (!x) return make_error(Errc::invalid_argument, "a recipient is not a valid Ed25519 key");
    SecretBytes shared(32);
    if (crypto_scalarmult(shared.data(), ephemeral_secret.data(), x->data()) != 0)
      return make_error(Errc::invalid_argument, "a recipient key gives no shared secret");
    out += seal_with(wrap_key(shared, ephemeral, *x, room_id, epoch.id), kZeroNonce,
                     epoch.key.view(), "");
  }
  SecretBytes links(1 + kLinkBytes * parents.size());
  links.data()[0] = static_cast<std::uint8_t>(parents.size());
  for (std::size_t i = 0; i < parents.size(); ++i) {
    std::copy(parents[i].id.begin(), parents[i].id.end(), links.data() + 1 + kLinkBytes * i);
    std::copy_n(parents[i].key.data(), 32, links.data() + 1 + kLinkBytes * i + 16);
  }
  out.append(reinterpret_cast<const char*>(links_nonce.data()), links_nonce.size());
  out += seal_with(epoch_subkey(epoch.key, EpochSubkey::links), links_nonce.data(), links.view(),
                   links_ad(room_id, epoch.id));
  return out;
}

Result<std::string> make_grant(const Id128& room_id, const EpochKey& epoch,
                               const std::vector<PublicKey>& recipients,
                               const std::vector<EpochKey>& parents) {
  std::vector<PublicKey> order = recipients;
  for (std::size_t i = order.size(); i > 1; --i)  // Fisher-Yates: slot order says nothing
    std::swap(order[i - 1], order[randombytes_uniform(static_cast<std::uint32_t>(i))]);
  SecretBytes ephemeral(32);
  randombytes_buf(ephemeral.data(), ephemeral.size());
  Nonce nonce{};
  randombytes_buf(nonce.data(), nonce.size());
  return make_grant_with(room_id, epoch, order, parents, ephemeral, nonce);
}

Result<Grant> parse_grant(std::string_view binary) {
  WireReader in(binary);
  Grant g;
  if (in.u8() != kGrantVersion) return bad("key grant has an unknown version");
  auto epoch = in.array<16>();
  auto ephemeral = in.array<32>();
  auto count = in.u16();
  if (!epoch || !ephemeral || !count) return bad("key grant is truncated");
  if (*count == 0 || *count > kMaxGrantSlots) return bad("key grant has 0 or over 1000 slots");
  auto slots = in.bytes(kSlotBytes * *count);
  auto nonce = in.bytes(kNonceBytes);
  if (!slots || !nonce) return bad("key grant is truncated");
  const std::size_t sealed = in.remaining();
  if (sealed < 1 + kTagBytes || (sealed - 1 - kTagBytes) % kLinkBytes != 0 ||
      (sealed - 1 - kTagBytes) / kLinkBytes > kMaxGrantLinks)
    return bad("key grant links have an impossible length");
  g.epoch = *epoch;
  g.ephemeral = *ephemeral;
  g.slots = std::string(*slots);
  g.links_sealed = std::string(*nonce) + std::string(in.rest());
  return g;
}

Result<Grant> parse_grant_file(std::string_view text, const EpochId& named) {
  if (text.size() > kMaxGrantFileBytes) return bad("key grant file is too large");
  if (text.empty() || text.back() != '\n') return bad("key grant file is incomplete");
  auto binary = from_base64(text.substr(0, text.size() - 1));
  if (!binary) return bad("key grant file is not base64url");
  auto grant = parse_grant(*binary);
  if (!grant) return grant;
  if (grant->epoch != named) return bad("key grant file holds another epoch than its name");
  return grant;
}

std::string format_grant_file(std::string_view grant) { return to_base64(grant) + "\n"; }

std::optional<EpochKey> open_grant(const Grant& grant, const Id128& room_id,
                                   const SecretBytes& x25519_secret) {
  X25519Key own{};
  crypto_scalarmult_base(own.data(), x25519_secret.data());
  SecretBytes shared(32);
  if (crypto_scalarmult(shared.data(), x25519_secret.data(), grant.ephemeral.data()) != 0)
    return std::nullopt;
  const SecretBytes w = wrap_key(shared, grant.ephemeral, own, room_id, grant.epoch);
  static constexpr unsigned char kZeroNonce[kNonceBytes] = {};
  for (std::size_t i = 0; i < grant.slot_count(); ++i) {
    auto key = open_with(w, kZeroNonce, std::string_view(grant.slots).substr(i * kSlotBytes, kSlotBytes), "");
    if (!key) continue;
    if (epoch_id_of(*key) != grant.epoch) return std::nullopt;  // ours, but not this epoch's key
    return EpochKey{grant.epoch, std::move(*key)};
  }
  return std::nullopt;
}

Result<std::vector<EpochKey>> open_links(const Grant& grant, const Id128& room_id,
                                         const EpochKey& epoch) {
  const std::string_view sealed(grant.links_sealed);
  auto links = open_with(epoch_subkey(epoch.key, EpochSubkey::links), uc(sealed),
                         sealed.substr(kNonceBytes), links_ad(room_id, grant.epoch));
  if (!links) return bad("key grant links do not authenticate");
  const std::size_t count = links->data()[0];
  if (links->size() != 1 + kLinkBytes * count) return bad("key grant links are inconsistent");
  std::vector<EpochKey> out;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint8_t* at = links->data() + 1 + kLinkBytes * i;
    EpochKey parent = epoch_key_from(SecretBytes::from(
        std::string_view(reinterpret_cast<const char*>(at + 16), 32)));
    if (!std::equal(parent.id.begin(), parent.id.end(), at))
      return bad("a key grant link does not match its epoch id");
    out.push_back(std::move(parent));
  }
  return out;
}

}  // namespace ftpchat
