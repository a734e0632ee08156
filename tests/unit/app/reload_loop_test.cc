// ReloadLoop: reloads when asked or when the fingerprint changes, never otherwise; a loop
// that does not watch ignores the fingerprint; Stop() joins promptly and is idempotent.
#include "app/reload_loop.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>

namespace newsflow::app {
namespace {

using std::chrono::milliseconds;

// Up to 10 s: the loop polls every 10 ms here, a loaded CI machine can still be slow.
bool WaitFor(const std::function<bool()>& condition) {
  for (int i = 0; i < 500 && !condition(); ++i) std::this_thread::sleep_for(milliseconds(20));
  return condition();
}

// A fingerprint the test sets, and a count of reloads.
struct Watched {
  std::mutex mutex;
  std::string fingerprint = "a";
  std::atomic<int> reloads{0};
  std::atomic<int> checks{0};

  ReloadLoop::Hooks Hooks() {
    return {.fingerprint =
                [this] {
                  ++checks;
                  std::lock_guard<std::mutex> lock(mutex);
                  return fingerprint;
                },
            .reload = [this] { ++reloads; }};
  }
  void Set(const std::string& value) {
    std::lock_guard<std::mutex> lock(mutex);
    fingerprint = value;
  }
};

TEST(ReloadLoopTest, ReloadsOnceForEachChangeAndNotWhileNothingChanges) {
  Watched w;
  ReloadLoop loop(milliseconds(10), /*watch=*/true, w.Hooks());
  w.Set("b");  // a change before Start() counts: the first fingerprint is the constructor's
  loop.Start();
  ASSERT_TRUE(WaitFor([&] { return w.reloads.load() == 1; }));
  const int checks = w.checks.load();
  ASSERT_TRUE(WaitFor([&] { return w.checks.load() >= checks + 5; }));  // several quiet polls
  EXPECT_EQ(w.reloads.load(), 1);
  w.Set("c");
  ASSERT_TRUE(WaitFor([&] { return w.reloads.load() == 2; }));
  loop.Stop();
  loop.Stop();  // idempotent
  w.Set("d");
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(w.reloads.load(), 2);  // stopped: no more checks
}

TEST(ReloadLoopTest, RequestReloadWorksWithoutWatchingAndTheFingerprintIsIgnored) {
  Watched w;
  ReloadLoop loop(milliseconds(10), /*watch=*/false, w.Hooks());
  loop.Start();
  w.Set("b");
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(w.reloads.load(), 0);
  EXPECT_EQ(w.checks.load(), 0);
  loop.RequestReload();
  ASSERT_TRUE(WaitFor([&] { return w.reloads.load() == 1; }));
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(w.reloads.load(), 1);  // one request, one reload
}

TEST(ReloadLoopTest, StopReturnsPromptlyWithALongInterval) {
  Watched w;
  ReloadLoop loop(std::chrono::hours(1), /*watch=*/true, w.Hooks());
  loop.Start();
  const auto start = std::chrono::steady_clock::now();
  loop.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(w.reloads.load(), 0);
}

}  // namespace
}  // namespace newsflow::app
