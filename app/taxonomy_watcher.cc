#include "app/taxonomy_watcher.h"

#include <algorithm>
#include <filesystem>
#include <vector>

namespace newsflow::app {

TaxonomyWatcher::TaxonomyWatcher(tag::TaxonomyLoadSettings load,
                                 std::shared_ptr<tag::TaxonomyStore> store,
                                 std::chrono::milliseconds interval, bool watch_files,
                                 Callbacks callbacks)
    : load_(std::move(load)),
      store_(std::move(store)),
      callbacks_(std::move(callbacks)),
      loop_(interval, watch_files && !load_.path.empty(),
            {.fingerprint = [this] { return Fingerprint(); }, .reload = [this] { ReloadNow(); }}) {}

std::string TaxonomyWatcher::Fingerprint() const {
  namespace fs = std::filesystem;
  if (load_.path.empty()) return {};
  const fs::path dir = fs::path(load_.path).parent_path().empty()
                           ? fs::path(".")
                           : fs::path(load_.path).parent_path();
  std::vector<std::string> entries;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    if (tag::IsSnapshotFileName(it->path().filename().string())) continue;  // a cache inside
    const auto size = it->file_size(ec);
    const auto mtime = it->last_write_time(ec).time_since_epoch().count();
    entries.push_back(it->path().string() + ":" + std::to_string(size) + ":" +
                      std::to_string(mtime));
  }
  std::sort(entries.begin(), entries.end());
  std::string out;
  for (const auto& e : entries) out += e + "\n";
  return out;
}

bool TaxonomyWatcher::ReloadNow() {
  auto next = tag::LoadTaxonomyFast(load_);
  if (!next.ok()) {
    failures_.fetch_add(1);
    if (callbacks_.on_failure) callbacks_.on_failure(next.status().message());
    return false;
  }
  if (callbacks_.on_warning) {
    for (const auto& warning : next->warnings) callbacks_.on_warning(warning);
  }
  const std::string version = next->taxonomy->version();
  store_->Swap(std::move(next->taxonomy));
  reloads_.fetch_add(1);
  if (callbacks_.on_success) callbacks_.on_success(version);
  return true;
}

}  // namespace newsflow::app
