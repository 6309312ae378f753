// libFuzzer target: member room (v2) records on arbitrary bytes. Build with -DFTPCHAT_FUZZ=ON
// and clang; see docs/TESTING.md. Each input is used as:
//  1. a v2 writer file (alice's writer id, the known-answer room and epoch keys): its lines go
//     through decode_line and a ChainVerifier, seals checked once at the end and again after
//     every input-derived chunk: what the chunked reading verifies, the whole one verifies too
//     (it may verify more: a newer seal covers an older one that fails); verified membership
//     records are parsed and fed to a Membership fold, which must keep an owner and answer
//     every query;
//  2. a v2 plaintext encrypted under epoch 1's key, once as a record without a seal and once
//     as one that carries a seal (line byte 0x03: its last byte says the seal's form):
//     decode_line, then the seal parser (what parses encodes back) and the payload parser of
//     its kind (message, membership);
//  3. a membership payload: parsed; what parses must encode back to the same bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ftpchat/identity/keyring.hpp"
#include "ftpchat/identity/membership.hpp"
#include "ftpchat/identity/seal.hpp"
#include "ftpchat/record/record.hpp"
#include "fuzz_keys.hpp"

namespace {

using namespace ftpchat;

struct Fixture {
  Keyring keys;
  std::vector<EpochKey> epochs;
  Id128 room_id{};
  Id128 writer{};
  Genesis genesis;
};

const Fixture& fixture() {
  static const Fixture* f = [] {
    auto* out = new Fixture;
    for (std::string_view hex : fuzz::kEpochKeyHex) {
      out->epochs.push_back(epoch_key_from(SecretBytes::from(from_hex(hex).value())));
      out->keys.add(out->epochs.back().clone());
    }
    out->room_id = id_from_hex(fuzz::kRoomIdV2Hex).value();
    out->writer = id_from_hex(fuzz::kWriterV2Hex).value();
    const char* names[] = {"alice", "bob", "carol"};
    for (int i = 0; i < 2; ++i) {  // the known-answer genesis: alice owner, bob member
      auto id = Identity::from_seed(SecretBytes::from(from_hex(fuzz::kSeedHex[i]).value()));
      out->genesis.members.push_back({id->public_key(), i == 0 ? Role::owner : Role::member, names[i]});
      if (i == 0) out->genesis.owner = id->public_key();
    }
    out->genesis.room_name = "Members only";
    return out;
  }();
  return *f;
}


struct FileRead {
  std::vector<std::uint64_t> verified_seqs;
  std::uint64_t rejected = 0;
  std::vector<VerifiedRecord> membership;
};

FileRead read(const std::vector<std::string_view>& pieces, const Fixture& f) {
  LineSplitter lines;
  ChainVerifier chains(f.room_id, f.writer);
  std::optional<PublicKey> signer;
  FileRead out;
  const auto take = [&](RunOutcome got) {
    out.rejected += got.rejected;
    for (VerifiedRecord& v : got.verified) {
      out.verified_seqs.push_back(v.record.message.seq);
      FUZZ_CHECK(signer && v.signer == *signer);
      if (v.record.kind == static_cast<std::uint8_t>(RecordKind::membership))
        out.membership.push_back(std::move(v));
    }
  };
  for (std::string_view piece : pieces) {
    for (const std::string& line : lines.feed(piece)) {
      auto d = decode_line(f.keys, f.room_id, f.writer, line);
      if (!d) {
        FUZZ_CHECK(d.error().code == Errc::bad_data || d.error().code == Errc::not_found);
        ++out.rejected;
        continue;
      }
      FUZZ_CHECK(d->version == 2 && d->message.seq > 0 && d->kind != 0 && d->kind != 2);
      take(chains.add(std::move(*d)));
      FUZZ_CHECK(chains.pending() <= kMaxPendingRecords);
    }
    take(chains.check(signer));  // a piece's end
  }
  std::sort(out.verified_seqs.begin(), out.verified_seqs.end());
  return out;
}

void as_writer_file(std::string_view bytes, const Fixture& f) {
  const FileRead whole = read({bytes}, f);
  const FileRead parts = read(fuzz::chunks_of(bytes), f);
  FUZZ_CHECK(std::includes(whole.verified_seqs.begin(), whole.verified_seqs.end(),
                           parts.verified_seqs.begin(), parts.verified_seqs.end()));
  Membership ms(f.genesis, f.epochs[0].id);
  for (const VerifiedRecord& v : whole.membership) {
    auto change = parse_membership(v.record.payload);
    if (!change) {
      FUZZ_CHECK(change.error().code == Errc::bad_data);
      continue;
    }
    ms.add(membership_record_of(v, std::move(*change)));
  }
  bool owner = false;
  for (const Member& m : ms.members()) owner |= m.role == Role::owner;
  FUZZ_CHECK(owner);  // the last owner always stays
  for (const Member& m : ms.members()) (void)ms.display_name(m.key);
  (void)ms.send_epoch(f.genesis.owner);
  (void)ms.latest_epochs();
  (void)ms.judge(f.genesis.owner, f.writer, 1, f.epochs[1].id);
}

void as_plaintext(std::string_view plain, const Fixture& f) {
  const EpochKey& e = f.epochs[1];
  for (bool sealed : {false, true}) {
    if (sealed && plain.empty()) continue;
    // Sealed: the encoder puts content || seal; here the last byte alone stands for the seal,
    // so the plaintext is the input and the decoder splits it by that byte.
    const std::string_view content = sealed ? plain.substr(0, plain.size() - 1) : plain;
    const std::string_view seal = sealed ? plain.substr(plain.size() - 1) : std::string_view();
    const std::string line = encode_record_v2_with_nonce(*f.keys.epoch(e.id), e.id, f.room_id,
                                                         f.writer, content, Nonce{}, seal);
    auto d = decode_line(f.keys, f.room_id, f.writer, line);
    if (!d) {
      FUZZ_CHECK(d.error().code == Errc::bad_data);
      continue;
    }
    FUZZ_CHECK(d->content + d->seal == plain && d->epoch == e.id);
    FUZZ_CHECK(sealed ? (d->seal.size() == kSealBytes || d->seal.size() == kSealNamedBytes)
                      : d->seal.empty());
    if (sealed) {
      auto parsed = parse_seal(d->seal);
      FUZZ_CHECK(parsed.ok() && encode_seal(*parsed) == d->seal);
    }
    switch (static_cast<RecordKind>(d->kind)) {
      case RecordKind::message:
        FUZZ_CHECK(d->message.body.size() <= kMaxBodyBytes);
        break;
      case RecordKind::membership:
        (void)parse_membership(d->payload);
        break;
      default:
        break;  // unknown kinds decode; readers skip them once sealed
    }
  }
}

void as_membership_payload(std::string_view payload) {
  auto change = parse_membership(payload);
  if (!change) {
    FUZZ_CHECK(change.error().code == Errc::bad_data);
    return;
  }
  auto again = encode_membership(*change);
  FUZZ_CHECK(again.ok() && *again == payload);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Fixture& f = fixture();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  as_writer_file(bytes, f);
  as_plaintext(bytes, f);
  as_membership_payload(bytes);
  return 0;
}
