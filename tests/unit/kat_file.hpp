// The known-answer files' common syntax: '#' comments, blank lines, and "key value" lines (the
// value is the rest of the line; a key alone has an empty value).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace ftpchat::test {

inline std::vector<std::pair<std::string, std::string>> read_kat_entries(const std::string& file) {
  std::vector<std::pair<std::string, std::string>> out;
  std::ifstream in(std::string(FTPCHAT_TEST_DATA) + "/" + file);
  EXPECT_TRUE(in) << "cannot open " << file;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.find(' ');
    out.emplace_back(line.substr(0, space), space == std::string::npos ? "" : line.substr(space + 1));
  }
  return out;
}

}  // namespace ftpchat::test
