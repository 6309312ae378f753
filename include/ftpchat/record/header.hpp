// Room header (docs/FORMAT.md, "Header"): created once per room, never rewritten.
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
constexpr std::size_t kMaxHeaderBytes = 4096;

struct RoomHeader {
  Suite suite = Suite::xchacha20poly1305;
  KdfParams kdf;
  Id128 room_id{};
  std::string sealed_name;  // nonce || AEAD(name), under the room_name subkey
  std::string key_check;    // 32-byte keyed BLAKE2b over every header line before it
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

// Parses the header file; bad_data with a reason when it is malformed or truncated.
Result<RoomHeader> parse_header(std::string_view raw);

// Derives the keys and checks the key check: wrong_passphrase when it fails.
Result<OpenedRoom> open_room(const RoomHeader& header, const SecretBytes& passphrase);

}  // namespace ftpchat
