// ReloadLoop: the polling thread behind the hot-reload watchers (TaxonomyWatcher,
// AlertsWatcher). Every `interval` it asks whether a reload is due -- a reload was requested
// (RequestReload(), e.g. from a SIGHUP handler) or, when `watch` is set, the watched files'
// fingerprint changed since the last check -- and if so calls `reload` on its own thread.
// What a fingerprint is (one file's size and mtime, a directory's listing) and what a reload
// does (compile, swap, report) belong to the watcher; the loop only decides when.
//
// The first fingerprint is taken in the constructor, so a change made between construction and
// Start() is still seen. `fingerprint` and `reload` run on the loop's thread without the loop's
// lock held (a slow compile never delays Stop() by more than that compile).
//
// Threading: Start/Stop from one thread; RequestReload() from any thread or a signal handler
// (it only stores to an atomic flag). Destroying the loop stops it: declare it as the last member
// of its owner, so the thread is joined before anything `reload` uses is destroyed.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace newsflow::app {

class ReloadLoop {
 public:
  struct Hooks {
    std::function<std::string()> fingerprint;  // of what is watched; compared as a string
    std::function<void()> reload;              // does the reload and reports its outcome
  };

  ReloadLoop(std::chrono::milliseconds interval, bool watch, Hooks hooks);
  ~ReloadLoop();  // Stop()

  void Start();  // no-op when already running
  void Stop();   // wakes and joins the thread (idempotent)
  // Asks for a reload at the next check (async-signal-safe).
  void RequestReload() { requested_.store(true, std::memory_order_relaxed); }

 private:
  void Loop();

  const std::chrono::milliseconds interval_;
  const bool watch_;
  const Hooks hooks_;
  std::atomic<bool> requested_{false};
  std::string fingerprint_;  // the loop thread's after Start()
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace newsflow::app
