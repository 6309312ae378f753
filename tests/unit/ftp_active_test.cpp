// -o active[=SPEC]: what reaches libcurl's CURLOPT_FTPPORT, and the one-line errors.
#include <gtest/gtest.h>

#include "ftpchat/transport/curl_transport.hpp"

namespace ftpchat {
namespace {

std::string port_of(std::string_view spec) {
  auto port = parse_active_mode(spec);
  EXPECT_TRUE(port.ok()) << spec << ": " << (port.ok() ? "" : port.error().detail);
  return port.ok() ? *port : "";
}

std::string error_of(std::string_view spec) {
  auto port = parse_active_mode(spec);
  EXPECT_FALSE(port.ok()) << spec << " gave " << (port.ok() ? *port : "");
  if (port.ok()) return "";
  EXPECT_EQ(port.error().code, Errc::invalid_argument);
  return port.error().detail;
}

TEST(FtpActive, SpecsBecomeFtpPortStrings) {
  EXPECT_EQ(port_of(""), "-");  // the control connection's address, any port
  EXPECT_EQ(port_of("40000-40099"), ":40000-40099");
  EXPECT_EQ(port_of("40000"), ":40000");
  EXPECT_EQ(port_of("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(port_of("127.0.0.1:40000-40099"), "127.0.0.1:40000-40099");
  EXPECT_EQ(port_of("eth0:40000-40099"), "eth0:40000-40099");
  EXPECT_EQ(port_of("gateway.example.org"), "gateway.example.org");
  EXPECT_EQ(port_of("[::1]"), "[::1]");
  EXPECT_EQ(port_of("[2001:db8::7]:40000-40001"), "[2001:db8::7]:40000-40001");
}

TEST(FtpActive, BadSpecsSayWhatIsWrong) {
  for (const char* spec : {"40099-40000", "0-10", "40000-70000", "40000-", "-40000", "1-2-3"})
    EXPECT_NE(error_of(spec).find("ports are PORT or LO-HI"), std::string::npos) << spec;
  EXPECT_NE(error_of("127.0.0.1:x").find("ports are PORT or LO-HI"), std::string::npos);
  EXPECT_NE(error_of("::1:40000").find("IPv6 address in brackets"), std::string::npos);
  EXPECT_NE(error_of("a b").find("not an address"), std::string::npos);
  EXPECT_NE(error_of("-").find("not an address"), std::string::npos);
  const std::string message = error_of("99999");
  EXPECT_EQ(message.rfind("bad value for active: '99999'", 0), 0u) << message;
  EXPECT_NE(message.find("e.g. active, active=40000-40099"), std::string::npos) << message;
}

}  // namespace
}  // namespace ftpchat
