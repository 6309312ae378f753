// The epoch keys a member holds for one room (docs/FORMAT.md, "Finding keys"): the record
// keys decode_line asks for, and what grants give: a slot this identity can open, and links
// from every epoch key held to its parents'. Thread-safe; keys are never dropped.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <vector>

#include "ftpchat/cipher/record_cipher.hpp"
#include "ftpchat/identity/grant.hpp"
#include "ftpchat/record/record.hpp"

namespace ftpchat {

class Keyring final : public RecordKeys {
 public:
  const RecordCipher* epoch(const Id128& epoch_id) const override;
  bool has(const EpochId& id) const;
  bool add(EpochKey key);  // false when it was there already
  std::optional<EpochKey> key(const EpochId& id) const;
  std::size_t size() const;

  // Opens what it can of the grants (slots for this X25519 secret, links from keys held),
  // over and over until nothing new: returns how many keys it learned. A grant whose links do
  // not open is skipped. Remembers what it tried, so calling again with more grants is cheap.
  std::size_t learn(const std::vector<const Grant*>& grants, const Id128& room_id,
                    const SecretBytes& x25519_secret);
  // Whether learn() has tried this grant's slots (and found none for us, unless has()).
  bool tried(const EpochId& id) const;

 private:
  struct Entry {
    EpochKey key;
    std::unique_ptr<RecordCipher> cipher;  // the records subkey's
  };
  mutable std::mutex mu_;                  // guards the three below
  std::map<EpochId, Entry> entries_;
  std::set<EpochId> slots_tried_;
  std::set<EpochId> links_followed_;
};

}  // namespace ftpchat
