#include "app/reload_loop.h"

#include <utility>

namespace newsflow::app {

ReloadLoop::ReloadLoop(std::chrono::milliseconds interval, bool watch, Hooks hooks)
    : interval_(interval), watch_(watch), hooks_(std::move(hooks)) {
  if (watch_) fingerprint_ = hooks_.fingerprint();
}

ReloadLoop::~ReloadLoop() { Stop(); }

void ReloadLoop::Start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void ReloadLoop::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ReloadLoop::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    wake_.wait_for(lock, interval_, [this] { return stop_; });
    if (stop_) break;
    lock.unlock();
    bool reload = requested_.exchange(false);
    if (watch_) {
      std::string now = hooks_.fingerprint();
      if (now != fingerprint_) {
        fingerprint_ = std::move(now);
        reload = true;
      }
    }
    if (reload) hooks_.reload();
    lock.lock();
  }
}

}  // namespace newsflow::app
