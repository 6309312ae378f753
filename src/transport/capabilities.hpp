// What a server was found to support, learnt by trying once per mount, in one place for every
// libcurl transport; describe() is what ROOM/status shows as "transport mode".
// Thread-safe: mode() is read by the status file while requests run.
#pragma once

#include <mutex>
#include <string>

namespace ftpchat {

// How sends reach the writer's file.
enum class WriteWay {
  append,   // the protocol appends (FTP APPE, SFTP O_APPEND, RGW appendable objects)
  rewrite,  // the whole file is replaced by a longer version (own file only, so safe)
};

struct CapabilityState {
  WriteWay write = WriteWay::append;
  std::string write_note;    // why or how, shown in brackets: "server lacks APPE"
  bool ranged_reads = true;  // reads start at an offset (REST, SFTP seek, HTTP Range)
  std::string read_note;     // why not: "server lacks REST"
  bool rename = true;        // a complete file can be renamed over another
  std::string rename_note;   // why not
  std::string listing;       // "" : the protocol's usual listing; else its command ("STAT")
  std::string listing_note;  // why that command: "server lacks STAT (500)"
  bool active = false;       // FTP: the server opens data connections to us (EPRT/PORT)
  std::string active_note;   // why: "-o active", "server refused passive"
};

// Rendering, pure (tested on its own):
// 1. The write way first: "append" or "rewrite", its note in brackets if any.
// 2. Then only what differs from the usual, each after ", ":
//    "full fetch (NOTE)", "no rename (NOTE)", "listing by COMMAND (NOTE)", "active (NOTE)".
// e.g. "append", "rewrite (server lacks APPE)", "append, full fetch (server lacks REST)",
// "append, listing by STAT", "append, listing by LIST (server lacks STAT (500)), active
// (-o active)".
std::string describe(const CapabilityState& state);

class Capabilities {
 public:
  Capabilities() = default;
  explicit Capabilities(CapabilityState initial) : state_(std::move(initial)) {}

  CapabilityState get() const;
  bool appends() const;
  bool ranged_reads() const;
  bool renames() const;
  std::string listing() const;
  bool active() const;
  std::string describe() const;

  void set_write(WriteWay way, std::string note);
  void set_ranged_reads(bool on, std::string note);
  void set_rename(bool on, std::string note);
  void set_listing(std::string command, std::string note = "");
  void set_active(std::string note);

 private:
  mutable std::mutex mu_;
  CapabilityState state_;  // protected by mu_
};

}  // namespace ftpchat
