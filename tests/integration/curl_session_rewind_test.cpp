// CurlSession sending an upload again: when a kept-alive HTTP connection closes before any
// byte of the reply (a server dropping an idle connection just as the request goes out),
// libcurl sends the request again on a new connection and must rewind the body. A tiny
// HTTP/1.1 server on 127.0.0.1 in a thread answers the first PUT and keeps the connection,
// reads the second PUT and closes without a reply, then answers it on a new connection.
// Run: ./build/tests/transport_integration_tests --gtest_filter='CurlSessionRewind*'
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "../../src/transport/curl_session.hpp"

namespace ftpchat {
namespace {

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

// Reads one request (headers and a Content-Length body) from `fd`; "" on EOF or 5 s of
// silence.
std::string read_request(int fd) {
  std::string in;
  char buffer[4096];
  for (;;) {
    const std::size_t end = in.find("\r\n\r\n");
    if (end != std::string::npos) {
      const std::size_t at = in.find("Content-Length: ");
      const std::size_t length =
          at == std::string::npos ? 0 : std::stoul(in.substr(at + 16, in.find("\r\n", at) - at));
      if (in.size() >= end + 4 + length) return in.substr(0, end + 4 + length);
    }
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 5000) != 1) return "";
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) return "";
    in.append(buffer, static_cast<std::size_t>(n));
  }
}

// A connection accepted within 5 s, else -1 (a client that never comes back ends the test).
int accept_within(int listener) {
  pollfd p{listener, POLLIN, 0};
  return poll(&p, 1, 5000) == 1 ? accept(listener, nullptr, nullptr) : -1;
}

void send_text(int fd, std::string_view text) { (void)!write(fd, text.data(), text.size()); }

TEST(CurlSessionRewind, UploadIsSentAgainWholeOnANewConnection) {
  Fd listener(socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(listener.fd, 4), 0);
  socklen_t len = sizeof addr;
  getsockname(listener.fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string base = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/f";

  std::string dropped, resent;  // what the server read of the second PUT, each time
  std::thread server([&] {
    const char* created = "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
    Fd first(accept_within(listener.fd));
    if (read_request(first.fd).empty()) return;
    send_text(first.fd, created);
    dropped = read_request(first.fd);  // the second PUT: closed without a reply
    shutdown(first.fd, SHUT_RDWR);
    Fd second(accept_within(listener.fd));
    resent = read_request(second.fd);
    send_text(second.fd, created);
  });

  Logger log("rewind-test", LogLevel::warning);
  CurlSession session(TransportOptions{}, log, CurlProtocol{nullptr, false, true}, "");
  CurlRequest request;
  request.kind = RequestKind::upload;
  request.url = base;
  request.headers = {"Expect:"};  // no 100-continue wait: this server sends no 100
  request.data = "first body";
  CurlReply one = session.run(request);
  EXPECT_TRUE(one.http_ok()) << one.code << " " << one.error_text;
  const std::string body(100000, 'x');  // more than one read callback's worth
  request.data = body;
  CurlReply two = session.run(request);
  EXPECT_TRUE(two.http_ok()) << curl_easy_strerror(two.code) << " " << two.error_text;
  server.join();
  ASSERT_FALSE(dropped.empty()) << "the first connection never saw the second PUT";
  ASSERT_GE(resent.size(), body.size());
  EXPECT_EQ(resent.substr(resent.size() - body.size()), body);
  EXPECT_EQ(session.stats().connections, 2u);
}

}  // namespace
}  // namespace ftpchat
