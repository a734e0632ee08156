// Compiled taxonomy snapshots (processors/tag/snapshot.h): a round trip gives the same tables
// and the same tags and scores as the YAML-compiled taxonomy; a damaged, foreign or stale file
// is rejected with a message saying why; LoadTaxonomyFast falls back to the YAML files and
// fills and uses its cache.
#include "processors/tag/snapshot.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/testing/testing.h"
#include "tests/unit/tag/tag_fixture.h"

namespace newsflow::tag {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test (ctest runs the tests of a binary in parallel processes).
std::string TestDir() {
  const fs::path dir =
      fs::path(::testing::TempDir()) /
      ("snapshot_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// The built-in taxonomy compiled once for the whole binary (it takes a fraction of a second).
const std::shared_ptr<const Taxonomy>& Builtin() {
  static const std::shared_ptr<const Taxonomy> t = [] {
    auto r = LoadTaxonomy("");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : nullptr;
  }();
  return t;
}

// The built-in taxonomy's snapshot, written into `dir`.
std::string WriteBuiltinSnapshot(const std::string& dir) {
  const std::string path = dir + "/builtin" + kSnapshotExtension;
  auto hash = TaxonomySourceHash("");
  EXPECT_TRUE(hash.ok());
  const Status s = WriteSnapshot(*Builtin(), *hash, path);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return path;
}

// What the tag and score stages produced for one article, as text (every entity and topic with
// its score and mentions), to compare two taxonomies on the same input.
std::string Tags(const core::Document& doc) {
  std::ostringstream out;
  out.precision(17);
  for (const auto& e : doc.entities) {
    out << "E " << e.id << ' ' << e.type << ' ' << e.name << ' ' << e.salience;
    for (const auto& m : e.mentions) out << " [" << m.begin << ',' << m.end << ' ' << m.rule << ']';
    out << '\n';
  }
  for (const auto& t : doc.topics) {
    out << "T " << t.id << ' ' << t.label << ' ' << t.score;
    for (const auto& m : t.matches) out << " [" << m.begin << ',' << m.end << ' ' << m.rule << ']';
    out << '\n';
  }
  for (const auto& h : doc.hits) out << "H " << h.pattern << ' ' << h.token_begin << '\n';
  return out.str();
}

// The tags (Tags() above) of one JSON line through decode, normalize, tag and score, or the
// error: a record that does not decode (the samples hold some on purpose) is a result here.
std::string TagsOrError(TaggedPipeline& pipeline, const std::string& json) {
  const Status s = pipeline.TryRun(json);
  return s.ok() ? Tags(pipeline.doc()) : "error: " + s.ToString();
}

TEST(SnapshotTest, RoundTripHasTheSameTablesAndTagsTheSamplesAlike) {
  const std::string dir = TestDir();
  const std::string path = WriteBuiltinSnapshot(dir);
  SnapshotInfo info;
  auto loaded = LoadSnapshot(path, *TaxonomySourceHash(""), &info);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const Taxonomy& yaml = *Builtin();
  const Taxonomy& snap = **loaded;
  EXPECT_EQ(info.format_version, kSnapshotFormatVersion);
  EXPECT_EQ(info.taxonomy_version, yaml.version().substr(0, 47));
  EXPECT_EQ(info.file_size, fs::file_size(path));
  EXPECT_EQ(snap.version(), yaml.version());
  EXPECT_EQ(snap.calibration_note(), yaml.calibration_note());
  ASSERT_EQ(snap.entities().size(), yaml.entities().size());
  size_t with_other_names = 0;
  for (size_t i = 0; i < yaml.entities().size(); ++i) {
    EXPECT_EQ(snap.entities()[i].name, yaml.entities()[i].name);
    EXPECT_EQ(snap.entities()[i].also_known_as, yaml.entities()[i].also_known_as) << i;
    with_other_names += !yaml.entities()[i].also_known_as.empty();
  }
  EXPECT_GT(with_other_names, 0u);  // the built-in gazetteer has also_known_as names
  ASSERT_EQ(snap.topics().size(), yaml.topics().size());
  ASSERT_EQ(snap.patterns().size(), yaml.patterns().size());
  ASSERT_GT(snap.patterns().size(), 10000u);
  for (size_t i = 0; i < yaml.patterns().size(); ++i) {
    ASSERT_EQ(snap.pattern_text(static_cast<uint32_t>(i)),
              yaml.pattern_text(static_cast<uint32_t>(i)))
        << i;
  }
  // The matcher's tables are used in place: byte for byte the ones built from YAML.
  const auto a = yaml.matcher().image();
  const auto b = snap.matcher().image();
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size()), 0);

  // Every sample article gets the same entities, topics, scores and pattern hits.
  TaggedPipeline from_yaml(Builtin());
  TaggedPipeline from_snapshot(*loaded);
  std::istringstream samples(testing::ReadFile(testing::SourcePath("samples/articles.jsonl")));
  std::string line;
  int articles = 0;
  int tagged = 0;
  while (std::getline(samples, line)) {
    if (line.empty()) continue;
    const std::string expected = TagsOrError(from_yaml, line);
    EXPECT_EQ(TagsOrError(from_snapshot, line), expected) << line.substr(0, 200);
    ++articles;
    if (expected.find("\nT ") != std::string::npos || expected.rfind("T ", 0) == 0) ++tagged;
  }
  EXPECT_GE(articles, 10);
  EXPECT_GE(tagged, 5);  // the comparison covers articles with topics, not only empty results
}

TEST(SnapshotTest, WritingIsDeterministic) {
  const std::string dir = TestDir();
  const std::string first = WriteBuiltinSnapshot(dir);
  const std::string copy = dir + "/copy" + kSnapshotExtension;
  ASSERT_TRUE(WriteSnapshot(*Builtin(), *TaxonomySourceHash(""), copy).ok());
  EXPECT_EQ(ReadBytes(first), ReadBytes(copy));
}

TEST(SnapshotTest, TruncatedFileIsRejected) {
  const std::string dir = TestDir();
  const std::string path = WriteBuiltinSnapshot(dir);
  const std::string bytes = ReadBytes(path);
  WriteBytes(path, bytes.substr(0, bytes.size() / 2));
  auto r = LoadSnapshot(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("truncated"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find(path), std::string::npos) << r.status().message();
  WriteBytes(path, bytes.substr(0, 40));
  r = LoadSnapshot(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("smaller than the header"), std::string::npos)
      << r.status().message();
}

TEST(SnapshotTest, FlippedByteIsAChecksumError) {
  const std::string dir = TestDir();
  const std::string path = WriteBuiltinSnapshot(dir);
  std::string bytes = ReadBytes(path);
  // One byte in the body, in the first third (entity tables) and near the end (matcher image).
  for (size_t at : {size_t{200}, bytes.size() / 3, bytes.size() - 9}) {
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x10);
    WriteBytes(path, damaged);
    auto r = LoadSnapshot(path);
    ASSERT_FALSE(r.ok()) << at;
    EXPECT_NE(r.status().message().find("corrupt (checksum mismatch)"), std::string::npos)
        << r.status().message();
  }
}

TEST(SnapshotTest, OtherFormatVersionMagicOrSourcesAreRejected) {
  const std::string dir = TestDir();
  const std::string path = WriteBuiltinSnapshot(dir);
  const std::string bytes = ReadBytes(path);
  std::string other_version = bytes;
  const uint32_t version = kSnapshotFormatVersion + 1;
  std::memcpy(other_version.data() + 8, &version, sizeof version);  // after the 8-byte magic
  WriteBytes(path, other_version);
  auto r = LoadSnapshot(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("format version " + std::to_string(version)),
            std::string::npos)
      << r.status().message();

  std::string not_a_snapshot = bytes;
  not_a_snapshot[0] = 'X';
  WriteBytes(path, not_a_snapshot);
  r = LoadSnapshot(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bad magic"), std::string::npos) << r.status().message();

  // Intact, but checked against other sources (a calibrated and an uncalibrated compile differ).
  WriteBytes(path, bytes);
  EXPECT_TRUE(LoadSnapshot(path, *TaxonomySourceHash("")).ok());
  r = LoadSnapshot(path, *TaxonomySourceHash("", {.calibration = false}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("compiled from other taxonomy files"), std::string::npos)
      << r.status().message();
}

// A small taxonomy on disk, to change its files.
std::string WriteTaxonomyDir(const std::string& dir, const std::string& alias) {
  fs::create_directories(dir + "/entities");
  fs::create_directories(dir + "/topics");
  WriteBytes(dir + "/taxonomy.yaml",
             "version: \"disk-1\"\nentities: [\"entities/*.yaml\"]\ntopics: [\"topics/*.yaml\"]\n");
  WriteBytes(dir + "/entities/e.yaml",
             "entities:\n  - id: organization/acme\n"
             "    type: organization\n    name: Acme\n"
             "    aliases:\n      en: [\"" +
                 alias + "\"]\n");
  WriteBytes(dir + "/topics/t.yaml",
             "topic:\n  id: deals\n  labels: {en: Deals}\n  threshold: 0.5\n"
             "  groups:\n    deal:\n      en: [merger, acquisition]\n"
             "  rules:\n    - {name: deal-term, any: [deal]}\n");
  return dir + "/taxonomy.yaml";
}

TEST(SnapshotTest, LoadTaxonomyFastUsesAMatchingSnapshotAndFallsBackToYaml) {
  const std::string dir = TestDir();
  const std::string manifest = WriteTaxonomyDir(dir + "/tax", "Acme Corp");
  auto compiled = LoadTaxonomy(manifest);
  ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
  const std::string snapshot = dir + "/tax.nfsnap";
  ASSERT_TRUE(WriteSnapshot(**compiled, *TaxonomySourceHash(manifest), snapshot).ok());

  auto fast = LoadTaxonomyFast({.path = manifest, .snapshot = snapshot});
  ASSERT_TRUE(fast.ok()) << fast.status().ToString();
  EXPECT_EQ(fast->origin, "snapshot " + snapshot);
  EXPECT_TRUE(fast->warnings.empty());
  EXPECT_EQ(fast->taxonomy->patterns().size(), (*compiled)->patterns().size());

  // The files change: the snapshot is stale, rejected with a warning, and the YAML compiled.
  WriteTaxonomyDir(dir + "/tax", "Acme Corporation");
  fast = LoadTaxonomyFast({.path = manifest, .snapshot = snapshot});
  ASSERT_TRUE(fast.ok()) << fast.status().ToString();
  EXPECT_EQ(fast->origin, "yaml");
  ASSERT_EQ(fast->warnings.size(), 1u);
  EXPECT_NE(fast->warnings[0].find("compiled from other taxonomy files"), std::string::npos)
      << fast->warnings[0];
  EXPECT_NE(fast->warnings[0].find("using the YAML taxonomy"), std::string::npos);
  bool found = false;
  for (uint32_t p = 0; p < fast->taxonomy->patterns().size(); ++p) {
    found = found || fast->taxonomy->pattern_text(p) == "Acme Corporation";
  }
  EXPECT_TRUE(found);

  // A corrupt snapshot: the same fallback, the reason in the warning.
  std::string bytes = ReadBytes(snapshot);
  bytes[bytes.size() - 1] = static_cast<char>(bytes[bytes.size() - 1] ^ 1);
  WriteBytes(snapshot, bytes);
  WriteTaxonomyDir(dir + "/tax", "Acme Corp");
  fast = LoadTaxonomyFast({.path = manifest, .snapshot = snapshot});
  ASSERT_TRUE(fast.ok());
  EXPECT_EQ(fast->origin, "yaml");
  ASSERT_EQ(fast->warnings.size(), 1u);
  EXPECT_NE(fast->warnings[0].find("checksum"), std::string::npos) << fast->warnings[0];

  // A missing snapshot likewise; a taxonomy that does not compile is still an error.
  fast = LoadTaxonomyFast({.path = manifest, .snapshot = dir + "/missing.nfsnap"});
  ASSERT_TRUE(fast.ok());
  EXPECT_EQ(fast->origin, "yaml");
  EXPECT_NE(fast->warnings.at(0).find("cannot open"), std::string::npos) << fast->warnings[0];
  WriteBytes(dir + "/tax/topics/t.yaml", "topic: [");
  EXPECT_FALSE(LoadTaxonomyFast({.path = manifest, .snapshot = snapshot}).ok());
}

TEST(SnapshotTest, CacheDirectoryIsFilledOnceAndKeyedByContent) {
  const std::string dir = TestDir();
  const std::string manifest = WriteTaxonomyDir(dir + "/tax", "Acme Corp");
  // The cache inside the taxonomy directory: its files are not taxonomy sources.
  const std::string cache = dir + "/tax/cache";
  auto first = LoadTaxonomyFast({.path = manifest, .cache_dir = cache});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->origin, "yaml");
  EXPECT_TRUE(first->warnings.empty());
  const std::string entry = CachedSnapshotPath(cache, *TaxonomySourceHash(manifest));
  ASSERT_TRUE(fs::exists(entry));

  auto second = LoadTaxonomyFast({.path = manifest, .cache_dir = cache});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->origin, "cache " + entry);
  EXPECT_TRUE(second->warnings.empty());

  // Other content: another entry.
  WriteTaxonomyDir(dir + "/tax", "Acme Corporation");
  auto changed = LoadTaxonomyFast({.path = manifest, .cache_dir = cache});
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->origin, "yaml");
  const std::string entry2 = CachedSnapshotPath(cache, *TaxonomySourceHash(manifest));
  EXPECT_NE(entry2, entry);
  EXPECT_TRUE(fs::exists(entry2));

  // A damaged entry is reported, compiled again and rewritten.
  WriteBytes(entry2, ReadBytes(entry2).substr(0, 300));
  auto repaired = LoadTaxonomyFast({.path = manifest, .cache_dir = cache});
  ASSERT_TRUE(repaired.ok());
  EXPECT_EQ(repaired->origin, "yaml");
  ASSERT_EQ(repaired->warnings.size(), 1u);
  EXPECT_NE(repaired->warnings[0].find("truncated"), std::string::npos) << repaired->warnings[0];
  auto again = LoadTaxonomyFast({.path = manifest, .cache_dir = cache});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->origin, "cache " + entry2);

  // Uncalibrated compiles (eval, fit) never use snapshots.
  auto uncalibrated =
      LoadTaxonomyFast({.path = manifest, .cache_dir = cache, .options = {.calibration = false}});
  ASSERT_TRUE(uncalibrated.ok());
  EXPECT_EQ(uncalibrated->origin, "yaml");
}

TEST(SnapshotTest, CacheWriteFailureIsAWarningNotAnError) {
  const std::string dir = TestDir();
  const std::string manifest = WriteTaxonomyDir(dir + "/tax", "Acme Corp");
  WriteBytes(dir + "/not_a_dir", "x");
  auto r = LoadTaxonomyFast({.path = manifest, .cache_dir = dir + "/not_a_dir"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->origin, "yaml");
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_NE(r->warnings[0].find("the cache is not used"), std::string::npos) << r->warnings[0];
}

}  // namespace
}  // namespace newsflow::tag
