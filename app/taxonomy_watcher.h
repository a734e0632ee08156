// TaxonomyWatcher: hot reload of the taxonomy for long-running commands (`newsflow run`).
//
// A background thread checks, every `interval`, whether any file of the taxonomy directory
// changed (size or modification time), or whether a reload was requested (SIGHUP calls
// RequestReload()). It then recompiles the taxonomy off the hot path and, if that succeeds,
// swaps the new snapshot into the store atomically: records in flight finish on the snapshot
// they pinned, later records use the new one (their provenance.taxonomy_version says which).
// An invalid taxonomy keeps the old snapshot running; the error is reported through
// `on_failure` (logged and counted by the caller), never by stopping the process.
//
// Reloads load as start-up does (tag::LoadTaxonomyFast): the configured compiled snapshot when
// it still matches the files, else a cached one for the new content, else the YAML files (then
// cached when a cache directory is set). A snapshot rejected on the way is reported through
// `on_warning`; the reload itself still succeeds from the YAML files.
//
// The built-in taxonomy (empty path) has no files to watch; RequestReload() is then a no-op.
// Threading: Start/Stop from one thread; RequestReload() from any thread or a signal handler
// (it only stores to an atomic flag).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "app/reload_loop.h"
#include "processors/tag/snapshot.h"
#include "processors/tag/taxonomy.h"

namespace newsflow::app {

class TaxonomyWatcher {
 public:
  struct Callbacks {
    std::function<void(const std::string& version)> on_success;
    std::function<void(const std::string& error)> on_failure;
    std::function<void(const std::string& warning)> on_warning = {};  // e.g. a stale snapshot
  };

  // `load.path` is the taxonomy.yaml watched (empty: built-in, nothing to watch).
  TaxonomyWatcher(tag::TaxonomyLoadSettings load, std::shared_ptr<tag::TaxonomyStore> store,
                  std::chrono::milliseconds interval, bool watch_files, Callbacks callbacks);
  TaxonomyWatcher(std::string manifest_path, std::shared_ptr<tag::TaxonomyStore> store,
                  std::chrono::milliseconds interval, bool watch_files, Callbacks callbacks)
      : TaxonomyWatcher(tag::TaxonomyLoadSettings{.path = std::move(manifest_path)},
                        std::move(store), interval, watch_files, std::move(callbacks)) {}
  // The built-in taxonomy (empty path): Start() does nothing.
  void Start() {
    if (!load_.path.empty()) loop_.Start();
  }
  void Stop() { loop_.Stop(); }
  // Asks for a reload at the next check (async-signal-safe).
  void RequestReload() { loop_.RequestReload(); }
  // Reloads now, on the caller's thread; returns true if a new snapshot was swapped in.
  bool ReloadNow();

  int64_t reloads() const { return reloads_.load(); }
  int64_t failures() const { return failures_.load(); }

 private:
  // A fingerprint of every file under the taxonomy directory (names, sizes, mtimes).
  std::string Fingerprint() const;

  const tag::TaxonomyLoadSettings load_;
  const std::shared_ptr<tag::TaxonomyStore> store_;
  const Callbacks callbacks_;
  std::atomic<int64_t> reloads_{0};
  std::atomic<int64_t> failures_{0};
  ReloadLoop loop_;  // last: its thread is joined before the members above go
};

}  // namespace newsflow::app
