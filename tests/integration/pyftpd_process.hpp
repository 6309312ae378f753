// A real pyftpdlib server on 127.0.0.1 for the transport integration tests: started in a
// scratch folder on a free port, stopped (and the folder removed) by the destructor. With
// disabled commands (e.g. REST) or flags (e.g. --stat-status) it runs
// tests/harness/pyftpd_server.py, which removes them or changes the server's answers.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace ftpchat::testing {

// A port nothing listens on right now (the kernel's pick; the usual tiny race is accepted).
inline int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

inline bool port_accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

class PyftpdProcess {
 public:
  static constexpr const char* user = "chat";
  static constexpr const char* password = "secret";

  explicit PyftpdProcess(std::vector<std::string> disabled_commands = {},
                         std::vector<std::string> flags = {})
      : disabled_(std::move(disabled_commands)), flags_(std::move(flags)) {
    char pattern[] = "/tmp/ftpchat-transport-XXXXXX";
    const char* made = mkdtemp(pattern);
    scratch_ = made != nullptr ? made : "/tmp/ftpchat-transport-failed";
    std::filesystem::create_directories(data_dir());
    port_ = free_port();
    // Passive ports from a band of their own, varied per process so parallel runs differ.
    const int low = 40000 + static_cast<int>(getpid() % 200) * 100;
    pasv_low_ = std::to_string(low);
    pasv_high_ = std::to_string(low + 99);
  }
  ~PyftpdProcess() {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(scratch_, ec);
  }
  PyftpdProcess(const PyftpdProcess&) = delete;
  PyftpdProcess& operator=(const PyftpdProcess&) = delete;

  // Starts the server and waits until its port accepts; "" on success, else why not.
  std::string start() {
    const std::string port = std::to_string(port_);
    const std::string dir = data_dir().string();
    std::vector<std::string> args = {"/usr/bin/python3",
                                     "-m",
                                     "pyftpdlib",
                                     "-i",
                                     "127.0.0.1",
                                     "-p",
                                     port,
                                     "-w",
                                     "-d",
                                     dir,
                                     "-u",
                                     user,
                                     "-P",
                                     password,
                                     "-r",
                                     pasv_low_ + "-" + pasv_high_};
    if (!disabled_.empty() || !flags_.empty()) {
#ifdef FTPCHAT_HARNESS_DIR
      std::string disable;
      for (const auto& command : disabled_) disable += (disable.empty() ? "" : ",") + command;
      args = {"/usr/bin/python3",
              std::string(FTPCHAT_HARNESS_DIR) + "/pyftpd_server.py",
              "--port",
              port,
              "--dir",
              dir,
              "--user",
              user,
              "--password",
              password,
              "--pasv",
              pasv_low_ + "-" + pasv_high_,
              "--disable",
              disable};
      args.insert(args.end(), flags_.begin(), flags_.end());
#else
      return "disabled commands and flags need FTPCHAT_HARNESS_DIR (tests/harness) at build time";
#endif
    }
    pid_ = spawn(args);
    if (pid_ <= 0) {
      pid_ = -1;
      return "cannot run /usr/bin/python3 -m pyftpdlib (apt install python3-pyftpdlib)";
    }
    for (int i = 0; i < 200; ++i) {
      if (port_accepts(port_)) return "";
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return "pyftpdlib exited: " + read_file(log_path());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return "pyftpdlib did not listen within 10 s";
  }

  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  int port() const { return port_; }
  std::filesystem::path data_dir() const { return std::filesystem::path(scratch_) / "data"; }
  std::filesystem::path log_path() const { return std::filesystem::path(scratch_) / "server.log"; }
  std::string url(const std::string& path, const std::string& pass = password) const {
    return "ftp://" + std::string(user) + ":" + pass + "@127.0.0.1:" + std::to_string(port_) + "/" +
           path;
  }
  // pyftpdlib logs "USER 'chat' logged in." once per successful login.
  int logins() const {
    std::istringstream lines(read_file(log_path()));
    int count = 0;
    for (std::string line; std::getline(lines, line);)
      if (line.find("' logged in.") != std::string::npos) ++count;
    return count;
  }

 private:
  // Runs `args` with stdout and stderr appended to the log; the child's pid, or -1.
  pid_t spawn(std::vector<std::string> args) const {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string log = log_path().string();
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    return rc == 0 ? pid : -1;
  }

  std::vector<std::string> disabled_;
  std::vector<std::string> flags_;
  std::string scratch_;
  std::string pasv_low_;
  std::string pasv_high_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace ftpchat::testing
