// ftpchat_bench gen-member DIR NAME IDFILE MESSAGES [MEMBERS] [RUN] [BODY_BYTES]
//   writes a member room (docs/FORMAT.md, "Version 2") straight into DIR: owned by the identity
//   of IDFILE (named "owner"), with MEMBERS - 1 more random members (default 1: the owner
//   alone), and MESSAGES messages from one writer of the owner in the current period, in
//   uploads of RUN records (default 100, as group commit makes them; 1: one message at a time),
//   each ending with a seal of the file's one chain, with bodies like gen's.
//   Prints the room folder and the bytes written.
#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ftpchat/identity/genesis.hpp"
#include "ftpchat/identity/identity_file.hpp"
#include "ftpchat/identity/seal.hpp"
#include "ftpchat/record/record.hpp"
#include "ftpchat/room/room_layout.hpp"

using namespace ftpchat;

int gen_member(int argc, char** argv) {
  if (argc < 6) return 2;
  const std::filesystem::path dir = argv[2];
  const std::string name = argv[3];
  auto text = read_identity_file(argv[4]);
  if (!text) {
    std::fprintf(stderr, "ftpchat_bench: %s\n", describe(text.error()).c_str());
    return 1;
  }
  auto owner = open_identity_file(parse_identity_file(*text).value(), nullptr);
  if (!owner) return 1;
  const std::uint64_t messages = std::stoull(argv[5]);
  const std::size_t members = argc > 6 ? std::stoul(argv[6]) : 1;
  const std::size_t run = argc > 7 ? std::stoul(argv[7]) : 100;
  const std::size_t body_bytes = argc > 8 ? std::stoul(argv[8]) : 60;
  std::vector<GenesisMember> others;
  for (std::size_t i = 1; i < members; ++i)
    others.push_back({Identity::generate().public_key(), Role::member, "m" + std::to_string(i)});
  const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  const std::int64_t start = now - static_cast<std::int64_t>(messages) - 3600 * 1000;
  auto room = create_member_room(name, *owner, "owner", others, static_cast<std::uint64_t>(start) << 16);
  if (!room) {
    std::fprintf(stderr, "ftpchat_bench: %s\n", describe(room.error()).c_str());
    return 1;
  }
  const std::filesystem::path folder = dir / layout::room_folder(room->room_id);
  const std::filesystem::path period = folder / layout::period_of(now);
  std::filesystem::create_directories(period);
  std::ofstream(folder / std::string(layout::kHeaderFile), std::ios::binary) << room->header;
  Id128 writer{};
  randombytes_buf(writer.data(), writer.size());
  std::ofstream out(period / layout::writer_file(writer), std::ios::binary);
  auto cipher = make_record_cipher(Suite::xchacha20poly1305,
                                   epoch_subkey(room->epoch0.key, EpochSubkey::records));
  const EpochId epoch = room->epoch0.id;
  std::uint64_t total = 0;
  std::vector<std::string> plains, lines;
  std::optional<ChainPoint> chain;
  const auto flush = [&](std::uint64_t first_seq) {
    std::vector<RunEntry> entries;
    for (const std::string& p : plains) entries.push_back(RunEntry{epoch, p});
    const SealPayload seal = seal_records(*owner, room->room_id, writer, first_seq, entries, chain);
    lines.back() = encode_record_v2(*cipher, epoch, room->room_id, writer, plains.back(),
                                    encode_seal(seal));  // the upload's last record carries it
    std::string framed = "\n";
    for (const std::string& l : lines) framed += l + "\n";
    out << framed;
    total += framed.size();
    plains.clear();
    lines.clear();
  };
  for (std::uint64_t i = 0; i < messages; ++i) {
    Message msg;
    randombytes_buf(msg.id.data(), msg.id.size());
    msg.body = "history message " + std::to_string(i) + " ";
    msg.body.resize(std::max(body_bytes, msg.body.size()), 'x');
    const std::uint64_t seq = i + 1;
    const std::uint64_t stamp = static_cast<std::uint64_t>(start + static_cast<std::int64_t>(i)) << 16;
    plains.push_back(v2_content(RecordKind::message, seq, stamp, v2_message_payload(msg).value()));
    lines.push_back(encode_record_v2(*cipher, epoch, room->room_id, writer, plains.back()));
    if (plains.size() == run || i + 1 == messages) flush(seq + 1 - plains.size());
  }
  std::printf("%s %llu\n", layout::room_folder(room->room_id).c_str(),
              static_cast<unsigned long long>(total));
  return 0;
}
