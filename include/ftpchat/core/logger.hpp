// The daemon's diagnostic log: stderr in the foreground, syslog once daemonized.
// Never pass secrets or plaintext messages to it. Thread-safe.
#pragma once

#include <mutex>
#include <string>
#include <string_view>

namespace ftpchat {

enum class LogLevel { debug = 0, info = 1, warning = 2, error = 3 };

class Logger {
 public:
  explicit Logger(std::string program, LogLevel min_level = LogLevel::info);
  void set_level(LogLevel level);
  void use_syslog();                       // switch sink after daemonizing
  void use_file(const std::string& path);  // append to a file instead (tests, -o logfile=)
  bool enabled(LogLevel level) const;

  void log(LogLevel level, std::string_view message);
  void debug(std::string_view m) { log(LogLevel::debug, m); }
  void info(std::string_view m) { log(LogLevel::info, m); }
  void warning(std::string_view m) { log(LogLevel::warning, m); }
  void error(std::string_view m) { log(LogLevel::error, m); }

 private:
  enum class Sink { stderr_sink, syslog_sink, file_sink };
  std::string program_;
  LogLevel min_level_;
  Sink sink_ = Sink::stderr_sink;
  std::string file_path_;
  mutable std::mutex mu_;  // guards the sink while a line is written
};

}  // namespace ftpchat
