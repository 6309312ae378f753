// The fixture of the FTP transport tests: one pyftpdlib per test suite (pyftpd_process.hpp),
// a base folder per test, and small helpers. Used by transport_ftp_test.cpp and
// transport_ftp_wire_test.cpp.
#pragma once

#include <gtest/gtest.h>
#include <sodium.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "ftpchat/transport/curl_transport.hpp"
#include "ftpchat/transport/remote_url.hpp"
#include "pyftpd_process.hpp"

namespace ftpchat::testing {

namespace fs = std::filesystem;

inline std::unique_ptr<Transport> connect_to(const std::string& text, Logger& log,
                                      TransportOptions opts = {}) {
  auto url = parse_remote_url(text);
  EXPECT_TRUE(url.ok()) << text;
  if (!url.ok()) return nullptr;
  return make_curl_transport(*url, opts, log);
}

inline const DirEntry* find_entry(const std::vector<DirEntry>& entries, const std::string& name) {
  for (const auto& e : entries)
    if (e.name == name) return &e;
  return nullptr;
}

inline void write_local(const fs::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

class FtpTransportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_GE(sodium_init(), 0);
    server_ = std::make_unique<PyftpdProcess>();
    const std::string problem = server_->start();
    ASSERT_EQ(problem, "");
  }
  static void TearDownTestSuite() { server_.reset(); }

  void SetUp() override {
    ASSERT_TRUE(server_);
    // Each test works in a base directory of its own.
    base_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directory(server_->data_dir() / base_);
    transport_ = connect_to(server_->url(base_ + "/"), log_);
    ASSERT_TRUE(transport_);
  }

  fs::path local(const std::string& relative) const {
    return server_->data_dir() / base_ / relative;
  }

  static inline std::unique_ptr<PyftpdProcess> server_;
  Logger log_{"transport-test", LogLevel::warning};
  std::string base_;
  std::unique_ptr<Transport> transport_;
};

}  // namespace ftpchat::testing
