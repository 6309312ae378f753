// parse_command_line: CLI11's outcomes turned into the commands' exit statuses and messages.
#include "parse_command_line.hpp"

#include <cctype>
#include <cstdio>

#include "exit_status.hpp"

namespace ftpchat {

std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv,
                                      const std::string& program) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    // CLI11 starts its messages with a capital; ours never do, unless the first word is an
    // acronym ("URL/ROOM is required").
    const std::size_t word = what.find_first_of(" :/");
    bool acronym = word != std::string::npos && word > 1;
    for (std::size_t i = 1; acronym && i < word; ++i)
      acronym = std::isupper(static_cast<unsigned char>(what[i])) != 0;
    if (!what.empty() && !acronym)
      what[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(what[0])));
    std::fprintf(stderr, "%s: %s; see %s --help\n", program.c_str(), what.c_str(),
                 program.c_str());
    return kExitUsage;
  }
  return std::nullopt;
}

}  // namespace ftpchat
