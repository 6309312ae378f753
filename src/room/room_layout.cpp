// Period folder names (docs/FORMAT.md, "Periods").
#include "ftpchat/room/room_layout.hpp"

#include <cstdio>
#include <ctime>

namespace ftpchat::layout {

std::string period_of(std::int64_t unix_ms) {
  const std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm utc{};
  gmtime_r(&secs, &utc);
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02d", (utc.tm_year + 1900) % 10000, utc.tm_mon + 1);
  return out;
}

bool is_period_folder(std::string_view name) {
  if (name.size() != 7 || name[4] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6})
    if (name[i] < '0' || name[i] > '9') return false;
  const int month = (name[5] - '0') * 10 + (name[6] - '0');
  return month >= 1 && month <= 12;
}

}  // namespace ftpchat::layout
