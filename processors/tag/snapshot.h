// Compiled taxonomy snapshots: the compiled Taxonomy (matcher, patterns, entities, topics, the
// fitted calibration) as one versioned binary file, loaded in milliseconds instead of compiling
// the YAML files (about 0.26 s of CPU for the built-in taxonomy in a release build; figures in
// bench/README.md, "Start-up and whole process").
//
// `newsflow compile-taxonomy DIR -o FILE` writes one; `newsflow run`/`process` load it when
// `taxonomy.snapshot` names one, or keep one per taxonomy content in `taxonomy.cache_dir`
// (LoadTaxonomyFast() below), and fall back to compiling the YAML files.
//
// File layout (snapshot.cc has the details):
//   header, 128 bytes: magic "NFTAXSNP", format version (kSnapshotFormatVersion), byte order,
//     file size, XXH3-64 checksum of everything after the header, the content hash of the
//     taxonomy's source files, a probe of Matcher::Hash, and the taxonomy version (its first 47
//     bytes, for people; the full one is in the body);
//   body: an image (image.h) of: the taxonomy version, the builder (the newsflow build that
//     wrote it), the entities/topics/groups/calibration as a compact byte stream, the pattern
//     table, the phrase texts, and the Matcher's image.
// Loading maps the file (mmap, read-only, private), checks the header and the checksum, and
// then uses the pattern tables and the whole matcher in place: no per-pattern allocation, no
// hashing or sorting. Only the entities and topics (a few thousand small objects) are rebuilt.
//
// A snapshot is rejected, with an error naming the file and the reason, when it is truncated
// (size differs from the header's), corrupt (checksum), of another format version or byte order,
// written by another newsflow build (the compiled forms depend on the tokenizer, the stemmers and
// the matcher's hash, so only the build that wrote a snapshot may read it: compile it with the
// binary you deploy), or compiled from other source files than the ones it is checked against.
// Every index stored in it is also checked against the table it points into.
//
// Threading: a loaded snapshot is an immutable Taxonomy like a compiled one; the mapping lives
// as long as the Taxonomy (shared_ptr), so hot reload swaps snapshots as it swaps compiled ones.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "processors/tag/taxonomy.h"
#include "schemas/result.h"

namespace newsflow::tag {

// Bump when the layout of the file, an image element type or the order of image entries
// changes, or the meaning of a stored table. 2: entities' also_known_as; 3: the pattern length
// in the matcher's postings; 4: the matcher's prefix length filter also over the key's last byte;
// 5: the matcher's prefix keys in a trie (its filters, length masks and hash index dropped).
inline constexpr uint32_t kSnapshotFormatVersion = 5;
inline constexpr const char* kSnapshotExtension = ".nfsnap";
// A snapshot or a snapshot being written (NAME.nfsnap.tmp.*): not a taxonomy source file, so a
// cache directory inside the taxonomy directory changes neither its content hash nor what the
// hot-reload watcher sees.
bool IsSnapshotFileName(std::string_view file_name);

// The identity of this build (the GNU build id of the running executable, hex; or the newsflow
// version when the executable has none): a snapshot records the builder that wrote it.
const std::string& BuilderId();

// The content hash of a taxonomy's sources and of what else decides the compiled form (the
// compile options): every regular file under the directory of `manifest_path` (names and
// bytes, sorted by name), or every built-in file for an empty path. A cache key, and the check
// that a snapshot belongs to the configured taxonomy.
Result<uint64_t> TaxonomySourceHash(const std::string& manifest_path, CompileOptions options = {});

// Writes `taxonomy` to `path` (a temporary file in the same directory, then renamed, so a reader
// never sees half a file). `source_hash`: TaxonomySourceHash() of what it was compiled from.
Status WriteSnapshot(const Taxonomy& taxonomy, uint64_t source_hash, const std::string& path);

// What a snapshot's header says (for messages and `compile-taxonomy`).
struct SnapshotInfo {
  uint32_t format_version = 0;
  std::string taxonomy_version;
  uint64_t checksum = 0;
  uint64_t source_hash = 0;
  uint64_t file_size = 0;
};

// Maps and checks `path`. `expected_source_hash` != 0: the snapshot must have been compiled
// from sources with this TaxonomySourceHash(), else it is rejected as stale.
Result<std::shared_ptr<const Taxonomy>> LoadSnapshot(const std::string& path,
                                                     uint64_t expected_source_hash = 0,
                                                     SnapshotInfo* info = nullptr);

// How a command loads its taxonomy.
struct TaxonomyLoadSettings {
  std::string path = {};       // taxonomy.yaml; empty: the built-in default
  std::string snapshot = {};   // a snapshot to load first (must match `path`'s sources)
  std::string cache_dir = {};  // where compiled snapshots are kept, keyed by content hash
  CompileOptions options = {};
};

struct LoadedTaxonomy {
  std::shared_ptr<const Taxonomy> taxonomy;
  std::string origin;                 // "snapshot FILE", "cache FILE" or "yaml"
  std::vector<std::string> warnings;  // snapshots rejected, a cache entry not written, ...
};

// In order: the snapshot `settings.snapshot` if it loads and matches the sources of
// `settings.path`; else the cached snapshot for those sources in `cache_dir`; else compiling
// the YAML files (then writing the cache entry when `cache_dir` is set). A rejected snapshot
// or a failed cache write is a warning, not an error; only a YAML taxonomy that does not
// compile is an error. Snapshots are only used with default CompileOptions (with the
// calibration); other options always compile.
Result<LoadedTaxonomy> LoadTaxonomyFast(const TaxonomyLoadSettings& settings);

// The cache file for sources with `source_hash` in `cache_dir` (the name includes the format
// version and the builder, so builds never read each other's entries).
std::string CachedSnapshotPath(const std::string& cache_dir, uint64_t source_hash);

}  // namespace newsflow::tag
