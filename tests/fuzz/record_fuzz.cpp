// libFuzzer target: the record path of a writer file on arbitrary bytes (torn appends, garbage,
// replays) and the record decoder past authentication. Build with -DFTPCHAT_FUZZ=ON and clang;
// see docs/TESTING.md. Each input is used twice:
//  1. as writer-file bytes: LineSplitter and WriterCursor::ingest fed all at once and again in
//     pseudo-random chunks must agree (lines, accepted messages, counts, offset); each line
//     goes through decode_record, and what decodes must survive an encode/decode round trip;
//  2. as a record plaintext sealed under the fixed key, so the checks after authentication
//     (flags, nick length, zstd body) see arbitrary bytes too.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ftpchat/cipher/record_cipher.hpp"
#include "ftpchat/core/secret.hpp"
#include "ftpchat/record/record.hpp"
#include "ftpchat/room/writer_cursor.hpp"
#include "fuzz_keys.hpp"

namespace {

using namespace ftpchat;

struct Fixture {
  std::unique_ptr<RecordCipher> cipher;
  Id128 room_id{};
  Id128 writer{};
};

const Fixture& fixture() {
  static const Fixture f = [] {
    Fixture out;
    out.cipher = make_record_cipher(Suite::xchacha20poly1305,
                                    SecretBytes::from(from_hex(fuzz::kRecordsKeyHex).value()));
    out.room_id = id_from_hex(fuzz::kRoomIdHex).value();
    out.writer = id_from_hex(fuzz::kWriterHex).value();
    return out;
  }();
  return f;
}


void check_decoded(const Message& msg, const Fixture& f) {
  FUZZ_CHECK(msg.writer == f.writer);
  FUZZ_CHECK(msg.nick.size() <= kMaxNickBytes);
  FUZZ_CHECK(msg.body.size() <= kMaxBodyBytes);
  Message plain = msg;
  plain.flags = 0;
  auto again = encode_record(*f.cipher, f.room_id, plain);
  FUZZ_CHECK(again.ok());
  auto back = decode_record(*f.cipher, f.room_id, f.writer, again.value());
  FUZZ_CHECK(back.ok());
  FUZZ_CHECK(back->id == msg.id && back->seq == msg.seq && back->stamp == msg.stamp);
  FUZZ_CHECK(back->nick == msg.nick && back->body == msg.body);
}

void as_writer_file(std::string_view bytes, const Fixture& f) {
  LineSplitter whole_splitter;
  const std::vector<std::string> lines = whole_splitter.feed(bytes);
  LineSplitter chunk_splitter;
  std::vector<std::string> chunk_lines;
  WriterCursor whole(f.writer), chunked(f.writer);
  const IngestResult all = whole.ingest(bytes, *f.cipher, f.room_id);
  IngestResult parts;
  for (std::string_view chunk : fuzz::chunks_of(bytes)) {
    for (std::string& line : chunk_splitter.feed(chunk)) chunk_lines.push_back(std::move(line));
    IngestResult got = chunked.ingest(chunk, *f.cipher, f.room_id);
    for (Message& m : got.accepted) parts.accepted.push_back(std::move(m));
    parts.rejected += got.rejected;
    parts.duplicates += got.duplicates;
    parts.missing += got.missing;
  }
  FUZZ_CHECK(lines == chunk_lines);
  FUZZ_CHECK(whole_splitter.pending_bytes() == chunk_splitter.pending_bytes());
  FUZZ_CHECK(whole.offset() == bytes.size() && chunked.offset() == bytes.size());
  FUZZ_CHECK(whole.last_seq() == chunked.last_seq());
  FUZZ_CHECK(all.rejected == parts.rejected && all.duplicates == parts.duplicates &&
             all.missing == parts.missing);
  FUZZ_CHECK(all.accepted.size() == parts.accepted.size());
  FUZZ_CHECK(all.accepted.size() + all.rejected + all.duplicates == lines.size());

  std::uint64_t last = 0;
  for (std::size_t i = 0; i < all.accepted.size(); ++i) {
    const Message& m = all.accepted[i];
    FUZZ_CHECK(m.id == parts.accepted[i].id && m.seq == parts.accepted[i].seq);
    FUZZ_CHECK(m.seq > last);  // each writer's messages in send order, no duplicate
    last = m.seq;
  }
  for (const std::string& line : lines) {
    FUZZ_CHECK(!line.empty() && line.find('\n') == std::string::npos);
    FUZZ_CHECK(line.size() <= kMaxRecordLineBytes);
    auto msg = decode_record(*f.cipher, f.room_id, f.writer, line);
    if (msg)
      check_decoded(*msg, f);
    else
      FUZZ_CHECK(msg.error().code == Errc::bad_data);
  }
}

void as_plaintext(std::string_view plain, const Fixture& f) {
  Nonce nonce{};                          // fixed: the same input gives the same record
  std::string ad("ftpchatfs v1 record");  // docs/FORMAT.md: prefix, version, room id, writer
  ad.push_back(static_cast<char>(kFormatVersion));
  ad += as_chars(f.room_id);
  ad += as_chars(f.writer);
  std::string binary(1, static_cast<char>(kFormatVersion));
  binary += f.cipher->seal_with_nonce(plain, ad, nonce);
  auto msg = decode_record(*f.cipher, f.room_id, f.writer, to_base64(binary));
  if (!msg) {
    FUZZ_CHECK(msg.error().code == Errc::bad_data);
    return;
  }
  check_decoded(*msg, f);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Fixture& f = fixture();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  as_writer_file(bytes, f);
  as_plaintext(bytes, f);
  return 0;
}
