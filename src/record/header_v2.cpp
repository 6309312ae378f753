// Version 2 room header: five keyword lines; the grant and the sealed genesis are carried as
// bytes here and checked by the identity layer, which holds the keys to open them.
#include "header_v2.hpp"

#include <array>

#include "ftpchat/record/text_fields.hpp"

namespace ftpchat {

namespace {

constexpr std::string_view kMagicLine = "ftpchatfs-room v2";
constexpr std::array<std::string_view, 4> kKeywords = {"suite", "room", "grant", "genesis"};
constexpr std::size_t kMinSealedGenesis = 24 + 16;

Error bad(std::string detail) { return make_error(Errc::bad_data, std::move(detail)); }

}  // namespace

Result<RoomHeader> parse_header_v2(std::string_view raw) {
  auto values = parse_keyword_lines(raw, "header", kMagicLine.size(), kKeywords);
  if (!values) return values.error();
  RoomHeader header;
  header.version = 2;
  if ((*values)[0] != suite_name(Suite::xchacha20poly1305))
    return bad("unsupported cipher suite " + quote_untrusted((*values)[0]) +
               " for a member room");
  auto room_id = id_from_hex((*values)[1]);
  if (!room_id) return bad("room id is not 32 lowercase hex digits");
  header.room_id = *room_id;
  auto grant = from_base64((*values)[2]);
  if (!grant || grant->empty()) return bad("the header's key grant is not base64url");
  header.grant = std::move(*grant);
  auto genesis = from_base64((*values)[3]);
  if (!genesis || genesis->size() < kMinSealedGenesis)
    return bad("the header's genesis is not base64url of at least 40 bytes");
  header.sealed_genesis = std::move(*genesis);
  header.raw = std::string(raw);
  return header;
}

std::string format_header_v2(const Id128& room_id, std::string_view grant,
                             std::string_view sealed_genesis) {
  return std::string(kMagicLine) + "\nsuite " + suite_name(Suite::xchacha20poly1305) +
         "\nroom " + to_hex(room_id) + "\ngrant " + to_base64(grant) + "\ngenesis " +
         to_base64(sealed_genesis) + "\n";
}

}  // namespace ftpchat
