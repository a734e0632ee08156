#include "app/alerts_watcher.h"

#include <filesystem>

namespace newsflow::app {

AlertsWatcher::AlertsWatcher(std::string path, std::shared_ptr<alert::AlertRuleStore> store,
                             std::chrono::milliseconds interval, bool watch_file,
                             Callbacks callbacks)
    : path_(std::move(path)),
      store_(std::move(store)),
      callbacks_(std::move(callbacks)),
      loop_(interval, watch_file && !path_.empty(),
            {.fingerprint = [this] { return Fingerprint(); }, .reload = [this] { ReloadNow(); }}) {}

std::string AlertsWatcher::Fingerprint() const {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto size = fs::file_size(path_, ec);
  if (ec) return "missing";
  const auto mtime = fs::last_write_time(path_, ec);
  return std::to_string(size) + ":" + std::to_string(ec ? 0 : mtime.time_since_epoch().count());
}

bool AlertsWatcher::ReloadNow() {
  if (path_.empty()) return false;
  auto rules = alert::LoadAlertRules(path_);
  if (!rules.ok()) {
    if (callbacks_.on_failure) callbacks_.on_failure(rules.status().message());
    return false;
  }
  const std::string version = (*rules)->version();
  store_->Swap(std::move(rules).value());
  if (callbacks_.on_success) callbacks_.on_success(version);
  return true;
}

}  // namespace newsflow::app
