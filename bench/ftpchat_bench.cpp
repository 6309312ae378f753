// Helpers for bench/bench.py (run by bench/run.sh), built as build/bench/ftpchat_bench:
//   ftpchat_bench gen DIR NAME PASSFILE MESSAGES [WRITERS] [BODY_BYTES] [ACTIVE [OLD_MONTHS]]
//       writes a room (header + writer files of sealed records) straight into DIR, the
//       folder an FTP server on 127.0.0.1 serves: big rooms in seconds, without a mount.
//       ACTIVE writers (default: all) write in the current UTC month's period folder, the
//       others in the OLD_MONTHS (default 12) months before it, in turn, with stamps from
//       their month (docs/FORMAT.md, "Periods"). Prints the room folder and the bytes written.
//   ftpchat_bench gen-member DIR NAME IDFILE MESSAGES [MEMBERS] [RUN] [BODY_BYTES]
//       the same for a member room (gen_member.cpp).
//   ftpchat_bench appe URL BYTES COUNT
//       the baseline for send latency: COUNT appends of BYTES bytes to URL with raw libcurl
//       on one warm connection, driven by the multi interface as the transport drives it
//       (polls of at most 5 ms, shorter when curl_multi_timeout asks). Prints p50/p99/mean in
//       microseconds, then the first request's time
//       (connection and login included) and the bytes received per request.
//   ftpchat_bench list URL COUNT, ftpchat_bench get URL COUNT
//       the same for listing a folder (bench/network.py's poll baseline) and downloading a
//       file. sftp:// takes its key from FTPCHAT_BENCH_SSH_KEY and FTPCHAT_BENCH_SSH_HOST_SHA256.
#include <curl/curl.h>
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "ftpchat/core/clock.hpp"
#include "ftpchat/record/header.hpp"
#include "ftpchat/record/record.hpp"
#include "ftpchat/room/room_layout.hpp"

using namespace ftpchat;

int gen_member(int argc, char** argv);  // gen_member.cpp

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: ftpchat_bench gen DIR NAME PASSFILE MESSAGES [WRITERS] [BODY_BYTES] "
               "[ACTIVE [OLD_MONTHS]]\n"
               "       ftpchat_bench gen-member DIR NAME IDFILE MESSAGES [MEMBERS] [RUN] [BODY_BYTES]\n"
               "       ftpchat_bench appe URL BYTES COUNT\n"
               "       ftpchat_bench list URL COUNT\n"
               "       ftpchat_bench get URL COUNT\n");
  return 2;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The 10th of the UTC month `back` months before this one, 00:00, in Unix milliseconds.
std::int64_t month_back_ms(int back) {
  using namespace std::chrono;
  const year_month_day today{floor<days>(system_clock::now())};
  const year_month month = today.year() / today.month() - months{back};
  return duration_cast<milliseconds>(sys_days{month / 10}.time_since_epoch()).count();
}

int gen(int argc, char** argv) {
  if (argc < 6) return usage();
  const std::filesystem::path dir = argv[2];
  const std::string name = argv[3];
  std::ifstream pf(argv[4]);
  std::string pass;
  std::getline(pf, pass);
  const std::uint64_t messages = std::stoull(argv[5]);
  const std::uint64_t writers = argc > 6 ? std::stoull(argv[6]) : 1;
  const std::size_t body_bytes = argc > 7 ? std::stoul(argv[7]) : 60;
  const std::uint64_t active =
      std::min<std::uint64_t>(argc > 8 ? std::stoull(argv[8]) : writers, writers);
  const int old_months = argc > 9 ? std::stoi(argv[9]) : 12;
  if (writers == 0 || (active < writers && old_months < 1)) return usage();

  auto room = create_room(name, SecretBytes::from(pass), Suite::xchacha20poly1305,
                          default_kdf_params());
  if (!room) {
    std::fprintf(stderr, "ftpchat_bench: %s\n", describe(room.error()).c_str());
    return 1;
  }
  const std::filesystem::path folder = dir / layout::room_folder(room->header.room_id);
  std::filesystem::create_directories(folder);
  std::ofstream(folder / std::string(layout::kHeaderFile), std::ios::binary) << room->header.raw;

  // Stamps from the past, one millisecond apart, so live messages sort after the history:
  // the active writers' from an hour ago, the others' from the 10th of their month.
  const std::int64_t now = now_ms();
  std::vector<Id128> ids(writers);
  std::vector<std::int64_t> start_ms(writers);
  std::vector<std::ofstream> files;
  for (std::uint64_t w = 0; w < writers; ++w) {
    randombytes_buf(ids[w].data(), ids[w].size());
    const int back = w < active ? 0 : 1 + static_cast<int>((w - active) % old_months);
    start_ms[w] =
        back == 0 ? now - static_cast<std::int64_t>(messages) - 3600 * 1000 : month_back_ms(back);
    const std::filesystem::path period = folder / layout::period_of(back == 0 ? now : start_ms[w]);
    std::filesystem::create_directories(period);
    files.emplace_back(period / layout::writer_file(ids[w]), std::ios::binary);
  }
  std::vector<std::uint64_t> seq(writers, 0);
  std::uint64_t total = 0;
  for (std::uint64_t i = 0; i < messages; ++i) {
    const std::size_t w = i % writers;
    Message msg;
    randombytes_buf(msg.id.data(), msg.id.size());
    msg.writer = ids[w];
    msg.seq = ++seq[w];
    msg.stamp = static_cast<std::uint64_t>(start_ms[w] + static_cast<std::int64_t>(i)) << 16;
    msg.nick = "writer" + std::to_string(w);
    msg.body = "history message " + std::to_string(i) + " ";
    msg.body.resize(std::max(body_bytes, msg.body.size()), 'x');
    auto line = encode_record(*room->cipher, room->header.room_id, msg);
    if (!line) {
      std::fprintf(stderr, "ftpchat_bench: %s\n", describe(line.error()).c_str());
      return 1;
    }
    const std::string framed = "\n" + line.value() + "\n";
    files[w] << framed;
    total += framed.size();
  }
  std::printf("%s %llu\n", layout::room_folder(room->header.room_id).c_str(),
              static_cast<unsigned long long>(total));
  return 0;
}

struct Upload {
  const std::string* data;
  std::size_t pos = 0;
};

std::size_t read_cb(char* buf, std::size_t size, std::size_t n, void* user) {
  auto* up = static_cast<Upload*>(user);
  const std::size_t take = std::min(size * n, up->data->size() - up->pos);
  std::memcpy(buf, up->data->data() + up->pos, take);
  up->pos += take;
  return take;
}

std::size_t count_cb(char*, std::size_t size, std::size_t n, void* user) {
  *static_cast<std::size_t*>(user) += size * n;
  return size * n;
}

// sftp:// needs the bench's key and the server's host key: from the environment, as the
// harness knows them (FTPCHAT_BENCH_SSH_KEY: private key file, its public half beside it
// with .pub; FTPCHAT_BENCH_SSH_HOST_SHA256: base64 SHA-256 of the host key).
void ssh_options(CURL* easy) {
  if (const char* key = std::getenv("FTPCHAT_BENCH_SSH_KEY")) {
    curl_easy_setopt(easy, CURLOPT_SSH_PRIVATE_KEYFILE, key);
    curl_easy_setopt(easy, CURLOPT_SSH_PUBLIC_KEYFILE, (std::string(key) + ".pub").c_str());
  }
  if (const char* sha = std::getenv("FTPCHAT_BENCH_SSH_HOST_SHA256"))
    curl_easy_setopt(easy, CURLOPT_SSH_HOST_PUBLIC_KEY_SHA256, sha);
}

// The raw libcurl baselines: COUNT + 1 requests of one kind on one handle (one connection,
// kept warm), each driven by the multi interface as the transport does (5 ms poll, or less
// when curl asks). The first opens the connection (connect, greeting, login) and is reported
// on its own; p50/p99/mean cover the others. appe: append BYTES bytes to URL; list: list
// the folder URL; get: download URL.
int transfer(const std::string& op, int argc, char** argv) {
  const bool upload = op == "appe";
  if (argc < (upload ? 5 : 4)) return usage();
  const std::string url = argv[2];
  const std::string payload =
      upload ? "\n" + std::string(std::stoul(argv[3]) - 2, 'A') + "\n" : std::string();
  const int count = std::stoi(argv[upload ? 4 : 3]);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURL* easy = curl_easy_init();
  CURLM* multi = curl_multi_init();
  std::vector<double> us;
  double first_us = 0;
  std::size_t received = 0;
  for (int i = 0; i < count + 1; ++i) {
    Upload up{&payload};
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    ssh_options(easy);
    if (upload) {
      curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(easy, CURLOPT_APPEND, 1L);
      curl_easy_setopt(easy, CURLOPT_READFUNCTION, read_cb);
      curl_easy_setopt(easy, CURLOPT_READDATA, &up);
      curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(payload.size()));
      curl_easy_setopt(easy, CURLOPT_FTP_CREATE_MISSING_DIRS, 1L);
    } else {
      curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, count_cb);
      curl_easy_setopt(easy, CURLOPT_WRITEDATA, &received);
    }
    const auto t0 = std::chrono::steady_clock::now();
    curl_multi_add_handle(multi, easy);
    int running = 1;
    while (running) {
      curl_multi_perform(multi, &running);
      long timeout_ms = 5;
      curl_multi_timeout(multi, &timeout_ms);
      if (running) curl_multi_poll(multi, nullptr, 0, timeout_ms < 0 || timeout_ms > 5 ? 5 : timeout_ms, nullptr);
    }
    CURLMsg* msg;
    int left;
    CURLcode rc = CURLE_OK;
    while ((msg = curl_multi_info_read(multi, &left)))
      if (msg->msg == CURLMSG_DONE) rc = msg->data.result;
    curl_multi_remove_handle(multi, easy);
    if (rc != CURLE_OK) {
      std::fprintf(stderr, "ftpchat_bench: %s failed: %s\n", op.c_str(), curl_easy_strerror(rc));
      return 1;
    }
    const double t = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
    if (i == 0)
      first_us = t;
    else
      us.push_back(t);
  }
  curl_multi_cleanup(multi);
  curl_easy_cleanup(easy);
  if (us.empty()) us.push_back(first_us);
  std::sort(us.begin(), us.end());
  double sum = 0;
  for (double v : us) sum += v;
  std::printf("p50_us %.0f p99_us %.0f mean_us %.0f first_us %.0f bytes %zu\n", us[us.size() / 2],
              us[std::min(us.size() - 1, us.size() * 99 / 100)], sum / us.size(), first_us,
              received / static_cast<std::size_t>(count + 1));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  if (argc < 2) return usage();
  const std::string cmd = argv[1];
  if (cmd == "gen") return gen(argc, argv);
  if (cmd == "gen-member") {
    const int rc = gen_member(argc, argv);
    return rc == 2 ? usage() : rc;
  }
  if (cmd == "appe" || cmd == "list" || cmd == "get") return transfer(cmd, argc, argv);
  return usage();
}
