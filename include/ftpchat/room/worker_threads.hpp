// A few threads for the engine's parallel work: syncing several rooms at once (each room on
// one thread at a time: the caller never posts a room twice), and opening rooms at start-up
// (headers fetched over the connection pool, keys derived on other cores).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ftpchat {

class WorkerThreads {
 public:
  explicit WorkerThreads(std::size_t count);
  // Runs nothing more that was posted; waits for the tasks running now.
  ~WorkerThreads();
  WorkerThreads(const WorkerThreads&) = delete;
  WorkerThreads& operator=(const WorkerThreads&) = delete;

  // Runs `task` on a free thread, in posting order. A task must not throw.
  void post(std::function<void()> task);

 private:
  void run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;
};

// Calls task(i) for every i in [0, n) on up to `threads` threads (the caller's among them)
// and returns when all are done.
void run_parallel(std::size_t n, std::size_t threads, const std::function<void(std::size_t)>& task);

}  // namespace ftpchat
