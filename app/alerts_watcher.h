// AlertsWatcher: hot reload of the alert rules file for `newsflow run`, as TaxonomyWatcher
// does for the taxonomy. A background thread checks every `interval` whether the file changed
// (size or modification time) or a reload was requested (SIGHUP), recompiles it off the hot
// path and swaps the new snapshot into the AlertRuleStore atomically. An invalid file keeps
// the current rules; the error goes to `on_failure`. The built-in rules (empty path) have no
// file to watch.
//
// Threading: Start/Stop from one thread; RequestReload() from any thread or a signal handler.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "processors/alert/alert_rules.h"

namespace newsflow::app {

class AlertsWatcher {
 public:
  struct Callbacks {
    std::function<void(const std::string& version)> on_success;
    std::function<void(const std::string& error)> on_failure;
  };
  AlertsWatcher(std::string path, std::shared_ptr<alert::AlertRuleStore> store,
                std::chrono::milliseconds interval, bool watch_file, Callbacks callbacks);
  ~AlertsWatcher();
  void Start();
  void Stop();
  void RequestReload() { requested_.store(true, std::memory_order_relaxed); }
  // Reloads now on the caller's thread; true if new rules were swapped in.
  bool ReloadNow();

 private:
  std::string Fingerprint() const;
  void Loop();

  const std::string path_;
  const std::shared_ptr<alert::AlertRuleStore> store_;
  const std::chrono::milliseconds interval_;
  const bool watch_file_;
  const Callbacks callbacks_;
  std::atomic<bool> requested_{false};
  std::string fingerprint_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace newsflow::app
