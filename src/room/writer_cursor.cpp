// WriterCursor: turns the bytes of one writer file into accepted messages.
#include "ftpchat/room/writer_cursor.hpp"

namespace ftpchat {

IngestResult WriterCursor::ingest(std::string_view bytes, const RecordCipher& cipher,
                                  const Id128& room_id) {
  IngestResult out;
  offset_ += bytes.size();
  tail_ += bytes.substr(bytes.size() > kOverlapBytes ? bytes.size() - kOverlapBytes : 0);
  if (tail_.size() > kOverlapBytes) tail_.erase(0, tail_.size() - kOverlapBytes);
  for (const std::string& line : lines_.feed(bytes)) {
    auto decoded = decode_record(cipher, room_id, writer_, line);
    if (!decoded) {
      ++out.rejected;
      continue;
    }
    Message& msg = decoded.value();
    if (msg.seq <= last_seq_) {
      ++out.duplicates;
      continue;
    }
    if (msg.seq > last_seq_ + 1) out.missing += msg.seq - last_seq_ - 1;
    last_seq_ = msg.seq;
    out.accepted.push_back(std::move(msg));
  }
  return out;
}

}  // namespace ftpchat
