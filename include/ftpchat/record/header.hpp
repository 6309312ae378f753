// Room header (docs/FORMAT.md, "Header" and "Header (version 2)"): created once per room,
// never rewritten. Version 1 opens with a passphrase; version 2 (member rooms) with an
// identity, through identity/member_room.hpp.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ftpchat/cipher/kdf.hpp"
#include "ftpchat/cipher/record_cipher.hpp"
#include "ftpchat/core/bytes.hpp"
#include "ftpchat/core/error.hpp"
#include "ftpchat/core/secret.hpp"

namespace ftpchat {

constexpr std::size_t kMaxRoomNameBytes = 200;
constexpr std::size_t kMaxHeaderBytes = 4096;     // version 1
constexpr std::size_t kMaxHeaderV2Bytes = 65536;  // version 2 (and the most a reader fetches)

struct RoomHeader {
  int version = 1;          // 1: passphrase room, 2: member room
  Suite suite = Suite::xchacha20poly1305;
  KdfParams kdf;            // v1
  Id128 room_id{};
  std::string sealed_name;  // v1: nonce || AEAD(name), under the room_name subkey
  std::string key_check;    // v1: 32-byte keyed BLAKE2b over every header line before it
  std::string grant;        // v2: the epoch 0 grant (binary; parsed by identity/grant.hpp)
  std::string sealed_genesis;  // v2: nonce || AEAD(genesis)
  std::string raw;          // the exact bytes of the header file (pinned by readers)
};

// A header whose key check passed: the room's decrypted name and record cipher.
struct OpenedRoom {
  RoomHeader header;
  std::string name;
  std::shared_ptr<const RecordCipher> cipher;
};

// Checks a proposed room name: 1..200 bytes of valid UTF-8, no control characters,
// no '/', not "." or "..".
Result<void> validate_room_name(std::string_view name);

// New header with a random room id and salt; raw holds the bytes to upload.
Result<OpenedRoom> create_room(std::string_view name, const SecretBytes& passphrase, Suite suite,
                               const KdfParams& kdf);

// Parses the header file of either version; bad_data with a reason when it is malformed or
// truncated.
Result<RoomHeader> parse_header(std::string_view raw);

// Version 1: derives the keys and checks the key check: wrong_passphrase when it fails,
// invalid_argument for a member room.
Result<OpenedRoom> open_room(const RoomHeader& header, const SecretBytes& passphrase);

// Version 2: the header file's bytes for a room id, its epoch 0 grant and sealed genesis.
std::string format_header_v2(const Id128& room_id, std::string_view grant,
                             std::string_view sealed_genesis);

}  // namespace ftpchat
