// One way for both commands (ftpchatfs, ftpchat) to run CLI11 over argv: --help and
// --version print and exit 0; a usage error is one line on stderr, "PROGRAM: message; see
// PROGRAM --help" (lower-case first letter, as every other message), with exit status 2.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

namespace ftpchat {

// nullopt when the command line parsed and the program goes on; else the exit status.
std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv,
                                      const std::string& program);

}  // namespace ftpchat
