// Running a helper program (ssh-keygen) without a shell: posix_spawnp with the arguments as a
// vector, a few bytes on its stdin, its stdout and stderr captured.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ftpchat/core/error.hpp"

namespace ftpchat {

struct ProgramResult {
  int exit_status = 0;  // its exit code, or 128 + the signal that ended it
  std::string out;      // what it wrote on stdout
  std::string err;      // what it wrote on stderr
};

// Input for the program's stdin is at most this long: it is written to the pipe before the
// program starts, so it must fit the pipe without blocking.
constexpr std::size_t kMaxProgramInput = 4096;

// What the program's stderr is: captured in ProgramResult::err, or the caller's own (so that
// prompts and messages meant for the user reach the terminal).
enum class ProgramStderr { capture, inherit };

// Runs argv[0], found on PATH, with the caller's environment. stdin_text: nullopt leaves the
// caller's stdin (and terminal) to the program. not_found when argv[0] is not on PATH,
// invalid_argument when the input is too long, io when the system refuses.
Result<ProgramResult> run_program(const std::vector<std::string>& argv,
                                  const std::optional<std::string>& stdin_text,
                                  ProgramStderr stderr_mode = ProgramStderr::capture);

}  // namespace ftpchat
