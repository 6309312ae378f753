// Loads tests/data/kat_v2.txt, the format v2 (member rooms) known-answer vectors that
// make_kat_v2.py computes independently of the C++ code (PyNaCl + hashlib).
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ftpchat/core/bytes.hpp"
#include "ftpchat/core/secret.hpp"
#include "ftpchat/identity/grant.hpp"
#include "ftpchat/identity/identity.hpp"
#include "ftpchat/identity/keyring.hpp"
#include "kat_file.hpp"

namespace ftpchat::test {

// One section: its keys in order (keys may repeat).
struct KatSection {
  std::string name;
  std::vector<std::pair<std::string, std::string>> entries;

  const std::string& at(const std::string& key) const {
    for (const auto& [k, v] : entries)
      if (k == key) return v;
    ADD_FAILURE() << "no key " << key << " in section " << name;
    static const std::string none;
    return none;
  }
  std::vector<std::string> all(const std::string& key) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : entries)
      if (k == key) out.push_back(v);
    return out;
  }
  std::string bytes(const std::string& key) const { return from_hex(at(key)).value(); }
  Id128 id(const std::string& key) const { return id_from_hex(at(key)).value(); }
  template <std::size_t N>
  std::array<std::uint8_t, N> array(const std::string& key) const {
    const std::string raw = bytes(key);
    std::array<std::uint8_t, N> out{};
    EXPECT_EQ(raw.size(), N) << key;
    std::copy_n(raw.begin(), std::min(raw.size(), N), out.begin());
    return out;
  }
  // The lines of a repeated key joined with LF (a text file).
  std::string text(const std::string& key) const {
    std::string out;
    for (const std::string& line : all(key)) out += line + "\n";
    return out;
  }
};

struct KatV2 {
  std::vector<KatSection> sections;

  std::vector<const KatSection*> all(const std::string& name) const {
    std::vector<const KatSection*> out;
    for (const KatSection& s : sections)
      if (s.name == name) out.push_back(&s);
    return out;
  }
  const KatSection& room() const { return *all("room").at(0); }
  const KatSection& header() const { return *all("header").at(0); }
  const KatSection& identity(const std::string& name) const {
    for (const KatSection* s : all("identity"))
      if (s->at("name") == name) return *s;
    throw std::runtime_error("no identity " + name);
  }
  const KatSection& epoch(int index) const { return *all("epoch").at(static_cast<std::size_t>(index)); }
  Id128 room_id() const { return room().id("room_id_hex"); }

  Identity make_identity(const std::string& name) const {
    return std::move(Identity::from_seed(SecretBytes::from(identity(name).bytes("seed_hex"))).value());
  }
  EpochKey epoch_key(int index) const {
    return epoch_key_from(SecretBytes::from(epoch(index).bytes("key_hex")));
  }
};

// Any file in kat_v2.txt's layout (kat_receipts.txt too).
inline KatV2 load_kat_v2(const std::string& file = "kat_v2.txt") {
  KatV2 kat;
  for (auto& [key, value] : read_kat_entries(file)) {
    if (key == "section") kat.sections.push_back(KatSection{value, {}});
    else kat.sections.back().entries.emplace_back(std::move(key), std::move(value));
  }
  return kat;
}

// The known-answer runs: each upload's records, the last one carrying the seal.
struct KatRun {
  const KatSection* run = nullptr;
  std::vector<const KatSection*> records;  // the last one carries the seal
};

inline std::vector<KatRun> kat_runs(const KatV2& kat) {
  std::vector<KatRun> out;
  for (const KatSection& s : kat.sections) {
    if (s.name == "run") out.push_back(KatRun{&s, {}});
    if (s.name == "record") out.back().records.push_back(&s);
  }
  return out;
}

inline std::unique_ptr<Keyring> all_keys_ptr(const KatV2& kat) {
  auto k = std::make_unique<Keyring>();
  for (int i = 0; i < 3; ++i) k->add(kat.epoch_key(i));
  return k;
}
// Every known-answer epoch key in one keyring, as a local reference `name`.
#define KAT_KEYS(name, kat) \
  const auto name##_ptr = ::ftpchat::test::all_keys_ptr(kat); \
  const Keyring& name = *name##_ptr

inline std::string seal_of(const KatSection& r) {
  return r.all("seal_hex").empty() ? std::string() : r.bytes("seal_hex");
}

}  // namespace ftpchat::test
