// libFuzzer target: the room header parser and opener on arbitrary bytes (a hostile server can
// put anything in a header file). Build with -DFTPCHAT_FUZZ=ON and clang; see docs/TESTING.md.
// Invariants: a refusal is always bad_data (parse) or bad_data / wrong_passphrase (open);
// an accepted header keeps its exact bytes; a room that opens has a usable name.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ftpchat/core/secret.hpp"
#include "ftpchat/record/header.hpp"
#include "fuzz_keys.hpp"

namespace {

using namespace ftpchat;

// Argon2id at the header's limits runs on every opened header: cap them at the known-answer
// vectors' (2 passes, 8 MiB) so one input costs milliseconds, not the 1 GiB a header may ask.
constexpr std::uint64_t kMaxFuzzOps = 2;
constexpr std::uint64_t kMaxFuzzMem = 8u << 20;

const SecretBytes& passphrase() {
  static const SecretBytes p = SecretBytes::from(fuzz::kPassphrase);
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  auto header = parse_header(raw);
  if (!header) {
    FUZZ_CHECK(header.error().code == Errc::bad_data);
    FUZZ_CHECK(!header.error().detail.empty());
    return 0;
  }
  FUZZ_CHECK(header->raw == raw);
  FUZZ_CHECK(raw.size() <= kMaxHeaderBytes);
  if (header->kdf.opslimit > kMaxFuzzOps || header->kdf.memlimit > kMaxFuzzMem) return 0;
  auto opened = open_room(header.value(), passphrase());
  if (!opened) {
    const Errc code = opened.error().code;
    FUZZ_CHECK(code == Errc::bad_data || code == Errc::wrong_passphrase);
    return 0;
  }
  FUZZ_CHECK(opened->cipher != nullptr);
  FUZZ_CHECK(opened->header.room_id == header->room_id);
  FUZZ_CHECK(opened->name.size() <= kMaxRoomNameBytes);
  (void)validate_room_name(opened->name);
  return 0;
}
