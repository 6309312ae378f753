// Logger sinks: stderr, syslog, or an append-only file.
#include "ftpchat/core/logger.hpp"

#include <syslog.h>

#include <cstdio>
#include <ctime>

namespace ftpchat {

Logger::Logger(std::string program, LogLevel min_level)
    : program_(std::move(program)), min_level_(min_level) {}

void Logger::set_level(LogLevel level) {
  std::lock_guard lock(mu_);
  min_level_ = level;
}

void Logger::use_syslog() {
  std::lock_guard lock(mu_);
  openlog(program_.c_str(), LOG_PID, LOG_USER);
  sink_ = Sink::syslog_sink;
}

void Logger::use_file(const std::string& path) {
  std::lock_guard lock(mu_);
  file_path_ = path;
  sink_ = Sink::file_sink;
}

bool Logger::enabled(LogLevel level) const {
  std::lock_guard lock(mu_);
  return level >= min_level_;
}

static const char* level_word(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warning: return "warning";
    case LogLevel::error: return "error";
  }
  return "";
}

void Logger::log(LogLevel level, std::string_view message) {
  std::lock_guard lock(mu_);
  if (level < min_level_) return;
  if (sink_ == Sink::syslog_sink) {
    static constexpr int priorities[] = {LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERR};
    syslog(priorities[static_cast<int>(level)], "%.*s", static_cast<int>(message.size()),
           message.data());
    return;
  }
  std::FILE* out = stderr;
  if (sink_ == Sink::file_sink) {
    out = std::fopen(file_path_.c_str(), "a");
    if (out == nullptr) return;
  }
  char stamp[32] = "";
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
  std::fprintf(out, "%s %s: %s: %.*s\n", stamp, program_.c_str(), level_word(level),
               static_cast<int>(message.size()), message.data());
  if (out != stderr) std::fclose(out);
}

}  // namespace ftpchat
