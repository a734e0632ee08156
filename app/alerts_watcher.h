// AlertsWatcher: hot reload of the alert rules file for `newsflow run`, as TaxonomyWatcher
// does for the taxonomy. A background thread checks every `interval` whether the file changed
// (size or modification time) or a reload was requested (SIGHUP), recompiles it off the hot
// path and swaps the new snapshot into the AlertRuleStore atomically. An invalid file keeps
// the current rules; the error goes to `on_failure`. The built-in rules (empty path) have no
// file to watch.
//
// Threading: Start/Stop from one thread; RequestReload() from any thread or a signal handler.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "app/reload_loop.h"
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
  // The built-in rules (empty path): Start() does nothing.
  void Start() {
    if (!path_.empty()) loop_.Start();
  }
  void Stop() { loop_.Stop(); }
  void RequestReload() { loop_.RequestReload(); }
  // Reloads now on the caller's thread; true if new rules were swapped in.
  bool ReloadNow();

 private:
  // The file's size and modification time ("missing" when it cannot be read).
  std::string Fingerprint() const;

  const std::string path_;
  const std::shared_ptr<alert::AlertRuleStore> store_;
  const Callbacks callbacks_;
  ReloadLoop loop_;  // last: its thread is joined before the members above go
};

}  // namespace newsflow::app
