// AlertsWatcher: a changed rules file swaps in the new rules; an invalid one keeps the old.
#include "app/alerts_watcher.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace newsflow::app {
namespace {

std::string Rules(const std::string& version) {
  return "version: " + version + "\nrules:\n  - id: r\n    when: {terms: [truce]}\n";
}

// Up to 10 s (the watcher polls every 100 ms; a loaded CI machine can be slow).
bool WaitFor(const std::function<bool()>& condition) {
  for (int i = 0; i < 500 && !condition(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

// Replaces the file in one step (write beside it, rename), as a ConfigMap update does, so the
// watcher never reads a half-written file.
void Replace(const std::string& path, const std::string& text) {
  std::ofstream(path + ".tmp") << text;
  std::filesystem::rename(path + ".tmp", path);
}

TEST(AlertsWatcherTest, FileChangeSwapsAndInvalidFileKeepsTheOldRules) {
  const std::string path = ::testing::TempDir() + "/alerts_watcher_rules.yaml";
  std::ofstream(path) << Rules("v1");
  auto initial = alert::LoadAlertRules(path);
  ASSERT_TRUE(initial.ok()) << initial.status().ToString();
  auto store = std::make_shared<alert::AlertRuleStore>(*initial);
  std::atomic<int> failures{0};
  AlertsWatcher::Callbacks callbacks;
  callbacks.on_failure = [&](const std::string&) { ++failures; };
  AlertsWatcher watcher(path, store, std::chrono::milliseconds(100), true, callbacks);
  watcher.Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // a distinct mtime
  Replace(path, Rules("v2-longer"));
  EXPECT_TRUE(WaitFor([&] { return store->Get()->version() == "v2-longer"; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  Replace(path, "version: v3\nrules:\n  - id: r\n    severity: loud\n    when: {terms: [x]}\n");
  EXPECT_TRUE(WaitFor([&] { return failures.load() > 0; }));
  EXPECT_EQ(store->Get()->version(), "v2-longer");
  watcher.Stop();
}

}  // namespace
}  // namespace newsflow::app
