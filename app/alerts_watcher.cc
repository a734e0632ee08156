#include "app/alerts_watcher.h"

#include <filesystem>

namespace newsflow::app {

AlertsWatcher::AlertsWatcher(std::string path, std::shared_ptr<alert::AlertRuleStore> store,
                             std::chrono::milliseconds interval, bool watch_file,
                             Callbacks callbacks)
    : path_(std::move(path)),
      store_(std::move(store)),
      interval_(interval),
      watch_file_(watch_file),
      callbacks_(std::move(callbacks)) {
  fingerprint_ = Fingerprint();
}

AlertsWatcher::~AlertsWatcher() { Stop(); }

void AlertsWatcher::Start() {
  if (path_.empty() || thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void AlertsWatcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

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

void AlertsWatcher::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    wake_.wait_for(lock, interval_, [this] { return stop_; });
    if (stop_) break;
    bool reload = requested_.exchange(false);
    if (watch_file_) {
      const std::string now = Fingerprint();
      if (now != fingerprint_) {
        fingerprint_ = now;
        reload = true;
      }
    }
    if (!reload) continue;
    lock.unlock();
    ReloadNow();
    lock.lock();
  }
}

}  // namespace newsflow::app
