#include "app/taxonomy_watcher.h"

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace newsflow::app {
namespace {

namespace fs = std::filesystem;

class TaxonomyWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::path(::testing::TempDir()) /
        ("watch_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "entities");
    fs::create_directories(dir_ / "topics");
    Write("entities/e.yaml",
          "entities:\n  - {id: p/x, type: person, name: X, aliases: {en: [Xavier]}}\n");
    Write("topics/t.yaml",
          "topic:\n  id: t\n  groups: {g: {en: [truce]}}\n  rules:\n    - {name: r, any: [g]}\n");
    WriteVersion("v1");
    auto initial = tag::LoadTaxonomy(Manifest());
    ASSERT_TRUE(initial.ok()) << initial.status().ToString();
    store_ = std::make_shared<tag::TaxonomyStore>(*initial);
  }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::trunc) << text;
  }
  void WriteVersion(const std::string& v) {
    Write("taxonomy.yaml",
          "version: \"" + v + "\"\nentities: [\"entities/*.yaml\"]\ntopics: [\"topics/*.yaml\"]\n");
  }
  std::string Manifest() const { return (dir_ / "taxonomy.yaml").string(); }

  template <typename Pred>
  static bool WaitFor(Pred pred) {
    for (int i = 0; i < 200 && !pred(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    return pred();
  }

  fs::path dir_;
  std::shared_ptr<tag::TaxonomyStore> store_;
};

TEST_F(TaxonomyWatcherTest, FileChangeSwapsInTheNewVersion) {
  std::string reported;
  std::mutex m;
  TaxonomyWatcher w(Manifest(), store_, std::chrono::milliseconds(100), true,
                    {[&](const std::string& v) {
                       std::lock_guard<std::mutex> l(m);
                       reported = v;
                     },
                     nullptr});
  w.Start();
  std::shared_ptr<const tag::Taxonomy> pinned = store_->Get();
  WriteVersion("v2-longer");
  ASSERT_TRUE(WaitFor([&] { return store_->Get()->version() == "v2-longer"; }));
  EXPECT_EQ(pinned->version(), "v1") << "a record's pinned snapshot is unaffected";
  EXPECT_EQ(w.reloads(), 1);
  std::lock_guard<std::mutex> l(m);
  EXPECT_EQ(reported, "v2-longer");
}

TEST_F(TaxonomyWatcherTest, InvalidTaxonomyKeepsTheOldOneAndReportsTheError) {
  std::string error;
  std::mutex m;
  TaxonomyWatcher w(Manifest(), store_, std::chrono::milliseconds(100), true,
                    {nullptr, [&](const std::string& e) {
                       std::lock_guard<std::mutex> l(m);
                       error = e;
                     }});
  w.Start();
  Write("topics/t.yaml",
        "topic:\n  id: t\n  groups: {g: {en: [truce]}}\n  rules:\n    - {name: r, any: [nope]}\n");
  ASSERT_TRUE(WaitFor([&] { return w.failures() >= 1; }));
  EXPECT_EQ(store_->Get()->version(), "v1");
  std::lock_guard<std::mutex> l(m);
  EXPECT_NE(error.find("topics/t.yaml:5"), std::string::npos) << error;
  EXPECT_NE(error.find("unknown group 'nope'"), std::string::npos) << error;
}

TEST_F(TaxonomyWatcherTest, RequestReloadWithoutFileWatching) {
  TaxonomyWatcher w(Manifest(), store_, std::chrono::milliseconds(100), false, {});
  w.Start();
  WriteVersion("v3");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(store_->Get()->version(), "v1") << "watch_files=false ignores file changes";
  w.RequestReload();  // what SIGHUP does
  ASSERT_TRUE(WaitFor([&] { return store_->Get()->version() == "v3"; }));
}

TEST_F(TaxonomyWatcherTest, ReloadUsesTheSnapshotWhileItMatchesThenTheFilesAndTheCache) {
  const std::string snapshot = dir_.string() + "-v1.nfsnap";
  ASSERT_TRUE(
      tag::WriteSnapshot(*store_->Get(), *tag::TaxonomySourceHash(Manifest()), snapshot).ok());
  const std::string cache = (dir_ / "cache").string();  // inside the watched directory
  std::vector<std::string> warnings;
  std::mutex m;
  TaxonomyWatcher::Callbacks callbacks;
  callbacks.on_warning = [&](const std::string& w) {
    std::lock_guard<std::mutex> l(m);
    warnings.push_back(w);
  };
  tag::TaxonomyLoadSettings load;
  load.path = Manifest();
  load.snapshot = snapshot;
  load.cache_dir = cache;
  {
    TaxonomyWatcher w(load, store_, std::chrono::milliseconds(100), false, callbacks);
    ASSERT_TRUE(w.ReloadNow());  // the snapshot matches the files: no warning, nothing cached
    EXPECT_EQ(store_->Get()->version(), "v1");
    EXPECT_FALSE(fs::exists(cache));
    WriteVersion("v2");
    ASSERT_TRUE(w.ReloadNow());  // stale snapshot: the files, then a cache entry
    EXPECT_EQ(store_->Get()->version(), "v2");
    EXPECT_TRUE(fs::exists(tag::CachedSnapshotPath(cache, *tag::TaxonomySourceHash(Manifest()))));
    std::lock_guard<std::mutex> l(m);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("compiled from other taxonomy files"), std::string::npos)
        << warnings[0];
  }
  // Watching: the cache entry a reload writes into the directory does not trigger another one.
  TaxonomyWatcher w(load, store_, std::chrono::milliseconds(100), true, callbacks);
  w.Start();
  WriteVersion("v3");
  ASSERT_TRUE(WaitFor([&] { return store_->Get()->version() == "v3"; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(w.reloads(), 1);
}

}  // namespace
}  // namespace newsflow::app
