// Genesis: one codec with one rule check for both directions, the owner's signature over it,
// and the room header that carries it with the epoch 0 grant.
#include "ftpchat/identity/genesis.hpp"

#include <sodium.h>

#include <algorithm>

#include "ftpchat/core/wire.hpp"
#include "ftpchat/record/header.hpp"

namespace ftpchat {

namespace {

constexpr std::string_view kGenesisPrefix = "ftpchatfs v2 genesis";
constexpr std::size_t kNonceBytes = 24;
constexpr std::size_t kTagBytes = 16;

const unsigned char* uc(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string genesis_context(const Id128& room_id, const EpochId& epoch0) {
  return std::string(kGenesisPrefix) + std::string(as_chars(room_id)) +
         std::string(as_chars(epoch0));
}

Result<void> check(const Genesis& g, Errc code) {
  const auto fail = [&](std::string why) { return make_error(code, "genesis: " + why); };
  if (auto valid = validate_room_name(g.room_name); !valid) return fail(valid.error().detail);
  if (g.members.empty() || g.members.size() > kMaxGenesisMembers) return fail("1 to 256 members");
  bool owner_listed = false;
  for (std::size_t i = 0; i < g.members.size(); ++i) {
    const GenesisMember& m = g.members[i];
    if (i > 0 && !(g.members[i - 1].key < m.key)) return fail("members not in increasing order");
    if (m.role == Role::none || static_cast<std::uint8_t>(m.role) > 3) return fail("a member has no valid role");
    if (auto valid = validate_member_name(m.name); !valid) return fail(valid.error().detail);
    if (!x25519_public_of(m.key)) return fail("a member key is not a valid Ed25519 key");
    owner_listed |= m.key == g.owner && m.role == Role::owner;
  }
  if (!owner_listed) return fail("the owner is not listed as an owner");
  return {};
}

std::string encode_unsigned(const Genesis& g) {
  std::string out;
  put_u64(out, g.stamp);
  put_u8(out, static_cast<std::uint8_t>(g.room_name.size()));
  out += g.room_name;
  put_u16(out, static_cast<std::uint16_t>(g.members.size()));
  for (const GenesisMember& m : g.members) {
    put_bytes(out, m.key);
    put_u8(out, static_cast<std::uint8_t>(m.role));
    put_u8(out, static_cast<std::uint8_t>(m.name.size()));
    out += m.name;
  }
  put_bytes(out, g.owner);
  return out;
}

}  // namespace

Result<std::string> seal_genesis(Genesis g, const Identity& owner, const Id128& room_id,
                                 const EpochKey& epoch0, const Nonce& nonce) {
  std::sort(g.members.begin(), g.members.end(),
            [](const GenesisMember& a, const GenesisMember& b) { return a.key < b.key; });
  g.owner = owner.public_key();
  if (auto ok = check(g, Errc::invalid_argument); !ok) return ok.error();
  const std::string context = genesis_context(room_id, epoch0.id);
  std::string plain = encode_unsigned(g);
  put_bytes(plain, owner.sign(context + plain));
  const SecretBytes key = epoch_subkey(epoch0.key, EpochSubkey::genesis);
  std::string out(kNonceBytes + plain.size() + kTagBytes, '\0');
  std::copy(nonce.begin(), nonce.end(), out.begin());
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(reinterpret_cast<unsigned char*>(out.data()) + kNonceBytes,
                                             &len, uc(plain), plain.size(), uc(context),
                                             context.size(), nullptr, nonce.data(), key.data());
  return out;
}

Result<std::string> seal_genesis(Genesis genesis, const Identity& owner, const Id128& room_id,
                                 const EpochKey& epoch0) {
  Nonce nonce{};
  randombytes_buf(nonce.data(), nonce.size());
  return seal_genesis(std::move(genesis), owner, room_id, epoch0, nonce);
}

Result<Genesis> open_genesis(std::string_view sealed, const Id128& room_id, const EpochKey& epoch0) {
  const auto bad = [](std::string why) { return make_error(Errc::bad_data, "genesis: " + why); };
  if (sealed.size() < kNonceBytes + kTagBytes) return bad("too short");
  const std::string context = genesis_context(room_id, epoch0.id);
  const SecretBytes key = epoch_subkey(epoch0.key, EpochSubkey::genesis);
  std::string plain(sealed.size() - kNonceBytes - kTagBytes, '\0');
  unsigned long long len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &len, nullptr,
          uc(sealed) + kNonceBytes, sealed.size() - kNonceBytes, uc(context), context.size(),
          uc(sealed), key.data()) != 0)
    return bad("does not authenticate under epoch 0's key");
  WireReader in(plain);
  Genesis g;
  auto stamp = in.u64();
  auto name_len = in.u8();
  if (!stamp || !name_len) return bad("truncated");
  auto name = in.bytes(*name_len);
  auto count = in.u16();
  if (!name || !count) return bad("truncated");
  g.stamp = *stamp;
  g.room_name = std::string(*name);
  for (std::size_t i = 0; i < *count; ++i) {
    auto k = in.array<32>();
    auto role = in.u8();
    auto nlen = in.u8();
    if (!k || !role || !nlen) return bad("truncated");
    auto mname = in.bytes(*nlen);
    if (!mname) return bad("truncated");
    g.members.push_back(GenesisMember{*k, static_cast<Role>(*role), std::string(*mname)});
  }
  auto owner = in.array<32>();
  const std::size_t signed_bytes = plain.size() - in.remaining();
  auto sig = in.array<64>();
  if (!owner || !sig || !in.done()) return bad("truncated, or bytes after the signature");
  g.owner = *owner;
  if (auto ok = check(g, Errc::bad_data); !ok) return ok.error();
  if (!verify_signature(g.owner, context + plain.substr(0, signed_bytes), *sig))
    return bad("the owner's signature does not verify");
  return g;
}

Result<NewMemberRoom> create_member_room(std::string_view room_name, const Identity& owner,
                                         std::string_view owner_name,
                                         const std::vector<GenesisMember>& others,
                                         std::uint64_t stamp) {
  Genesis g;
  g.stamp = stamp;
  g.room_name = std::string(room_name);
  g.owner = owner.public_key();
  g.members.push_back(GenesisMember{owner.public_key(), Role::owner, std::string(owner_name)});
  for (const GenesisMember& m : others) {
    for (const GenesisMember& seen : g.members)
      if (seen.key == m.key)
        return make_error(Errc::invalid_argument, "member " + m.name + " is listed twice");
    g.members.push_back(m);
  }
  NewMemberRoom room;
  room.room_id = random_id();
  room.epoch0 = random_epoch_key();
  std::vector<PublicKey> recipients;
  for (const GenesisMember& m : g.members) recipients.push_back(m.key);
  auto grant = make_grant(room.room_id, room.epoch0, recipients, {});
  if (!grant) return grant.error();
  auto sealed = seal_genesis(g, owner, room.room_id, room.epoch0);
  if (!sealed) return sealed.error();
  room.header = format_header_v2(room.room_id, *grant, *sealed);
  std::sort(g.members.begin(), g.members.end(),
            [](const GenesisMember& a, const GenesisMember& b) { return a.key < b.key; });
  room.genesis = std::move(g);
  return room;
}

}  // namespace ftpchat
