// Period folder names (docs/FORMAT.md, "Periods").
#include "ftpchat/room/room_layout.hpp"

#include <ctime>

namespace ftpchat::layout {

std::string period_of(std::int64_t unix_ms) {
  const std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm utc{};
  gmtime_r(&secs, &utc);
  const int year = (utc.tm_year + 1900) % 10000;
  const int month = utc.tm_mon + 1;
  std::string out(7, '0');
  for (int i = 3, y = year; i >= 0; --i, y /= 10) out[i] = static_cast<char>('0' + y % 10);
  out[4] = '-';
  out[5] = static_cast<char>('0' + month / 10);
  out[6] = static_cast<char>('0' + month % 10);
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
