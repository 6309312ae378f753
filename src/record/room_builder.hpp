// Internal to the record module: builds a room header from explicitly given "random" values,
// so that create_room and the known-answer tests (tests/data/kat_v1.txt) share one code path.
#pragma once

#include <string_view>

#include "ftpchat/record/header.hpp"

namespace ftpchat {

// create_room with the room id and the room-name nonce chosen by the caller (the salt is
// already in kdf). Never use fixed values outside tests: nonce reuse breaks the name's secrecy.
Result<OpenedRoom> create_room_with(std::string_view name, const SecretBytes& passphrase,
                                    Suite suite, const KdfParams& kdf, const Id128& room_id,
                                    const Nonce& name_nonce);

}  // namespace ftpchat
