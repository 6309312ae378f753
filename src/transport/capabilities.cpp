// Capabilities: the learnt server features behind a mutex, and their one rendering.
#include "capabilities.hpp"

namespace ftpchat {
namespace {

std::string with_note(std::string text, const std::string& note) {
  if (!note.empty()) text += " (" + note + ")";
  return text;
}

}  // namespace

std::string describe(const CapabilityState& s) {
  std::string out = with_note(s.write == WriteWay::append ? "append" : "rewrite", s.write_note);
  if (!s.ranged_reads) out += ", " + with_note("full fetch", s.read_note);
  if (!s.rename) out += ", " + with_note("no rename", s.rename_note);
  if (!s.listing.empty()) out += ", " + with_note("listing by " + s.listing, s.listing_note);
  if (s.active) out += ", " + with_note("active", s.active_note);
  return out;
}

CapabilityState Capabilities::get() const {
  std::lock_guard lock(mu_);
  return state_;
}

bool Capabilities::appends() const {
  std::lock_guard lock(mu_);
  return state_.write == WriteWay::append;
}

bool Capabilities::ranged_reads() const {
  std::lock_guard lock(mu_);
  return state_.ranged_reads;
}

bool Capabilities::renames() const {
  std::lock_guard lock(mu_);
  return state_.rename;
}

std::string Capabilities::listing() const {
  std::lock_guard lock(mu_);
  return state_.listing;
}

bool Capabilities::active() const {
  std::lock_guard lock(mu_);
  return state_.active;
}

std::string Capabilities::describe() const { return ftpchat::describe(get()); }

void Capabilities::set_write(WriteWay way, std::string note) {
  std::lock_guard lock(mu_);
  state_.write = way;
  state_.write_note = std::move(note);
}

void Capabilities::set_ranged_reads(bool on, std::string note) {
  std::lock_guard lock(mu_);
  state_.ranged_reads = on;
  state_.read_note = std::move(note);
}

void Capabilities::set_rename(bool on, std::string note) {
  std::lock_guard lock(mu_);
  state_.rename = on;
  state_.rename_note = std::move(note);
}

void Capabilities::set_listing(std::string command, std::string note) {
  std::lock_guard lock(mu_);
  state_.listing = std::move(command);
  state_.listing_note = std::move(note);
}

void Capabilities::set_active(std::string note) {
  std::lock_guard lock(mu_);
  state_.active = true;
  state_.active_note = std::move(note);
}

}  // namespace ftpchat
