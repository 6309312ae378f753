// Loads tests/data/kat_v1.txt, the format v1 known-answer vectors that make_kat.py computes
// independently of the C++ code (PyNaCl + hashlib). Shared by the kdf, header and record tests.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "ftpchat/cipher/kdf.hpp"
#include "ftpchat/core/bytes.hpp"
#include "ftpchat/record/record.hpp"
#include "kat_file.hpp"

namespace ftpchat::test {

struct KatRecord {
  std::map<std::string, std::string> fields;  // key -> value, as in the file
};

struct Kat {
  std::map<std::string, std::string> fields;
  std::string header;  // the header_line entries joined with '\n'
  std::vector<KatRecord> records;

  const std::string& at(const std::string& key) const { return fields.at(key); }
  std::string bytes(const std::string& key) const { return from_hex(at(key)).value(); }
  Id128 id(const std::string& key) const { return id_from_hex(at(key)).value(); }

  KdfParams kdf() const {
    KdfParams params;
    params.opslimit = std::stoull(at("kdf_ops"));
    params.memlimit = std::stoull(at("kdf_mem"));
    const std::string salt = bytes("salt_hex");
    std::copy(salt.begin(), salt.end(), params.salt.begin());
    return params;
  }

  static Message message(const KatRecord& r) {
    Message msg;
    msg.writer = id_from_hex(r.fields.at("record_writer_hex")).value();
    msg.id = id_from_hex(r.fields.at("record_id_hex")).value();
    msg.seq = std::stoull(r.fields.at("record_seq"));
    msg.stamp = std::stoull(r.fields.at("record_stamp"));
    msg.nick = from_hex(r.fields.at("record_nick_hex")).value();
    msg.body = from_hex(r.fields.at("record_body_hex")).value();
    return msg;
  }

  static Nonce nonce(const KatRecord& r) {
    const std::string raw = from_hex(r.fields.at("record_nonce_hex")).value();
    Nonce n{};
    std::copy(raw.begin(), raw.end(), n.begin());
    return n;
  }
};

inline Kat load_kat() {
  Kat kat;
  for (const auto& [key, value] : read_kat_entries("kat_v1.txt")) {
    if (key == "header_line") {
      kat.header += value + "\n";
    } else if (key.starts_with("record_")) {
      if (key == "record_writer_hex") kat.records.emplace_back();
      kat.records.back().fields[key] = value;
    } else {
      kat.fields[key] = value;
    }
  }
  return kat;
}

}  // namespace ftpchat::test
