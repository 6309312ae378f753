// Keyring: epoch keys by id, each with its records cipher built once.
#include "ftpchat/identity/keyring.hpp"

namespace ftpchat {

const RecordCipher* Keyring::epoch(const Id128& epoch_id) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(epoch_id);
  return it == entries_.end() ? nullptr : it->second.cipher.get();
}

bool Keyring::has(const EpochId& id) const {
  std::lock_guard lock(mu_);
  return entries_.count(id) > 0;
}

bool Keyring::add(EpochKey key) {
  std::lock_guard lock(mu_);
  if (entries_.count(key.id) > 0) return false;
  auto cipher = make_record_cipher(Suite::xchacha20poly1305,
                                   epoch_subkey(key.key, EpochSubkey::records));
  const EpochId id = key.id;
  entries_.emplace(id, Entry{std::move(key), std::move(cipher)});
  return true;
}

std::optional<EpochKey> Keyring::key(const EpochId& id) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return std::nullopt;
  return it->second.key.clone();
}

std::size_t Keyring::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

bool Keyring::tried(const EpochId& id) const {
  std::lock_guard lock(mu_);
  return slots_tried_.count(id) > 0;
}

std::size_t Keyring::learn(const std::vector<const Grant*>& grants, const Id128& room_id,
                           const SecretBytes& x25519_secret) {
  std::size_t learned = 0;
  for (bool progress = true; progress;) {
    progress = false;
    for (const Grant* g : grants) {
      bool tried_slots, followed;
      {
        std::lock_guard lock(mu_);
        tried_slots = !slots_tried_.insert(g->epoch).second;
        followed = links_followed_.count(g->epoch) > 0;
      }
      if (!tried_slots && !has(g->epoch))
        if (auto key = open_grant(*g, room_id, x25519_secret); key && add(std::move(*key))) {
          ++learned;
          progress = true;
        }
      if (followed) continue;
      auto own = key(g->epoch);
      if (!own) continue;
      {
        std::lock_guard lock(mu_);
        links_followed_.insert(g->epoch);
      }
      auto parents = open_links(*g, room_id, *own);
      if (!parents) continue;
      for (EpochKey& parent : *parents)
        if (add(std::move(parent))) {
          ++learned;
          progress = true;
        }
    }
  }
  return learned;
}

}  // namespace ftpchat
