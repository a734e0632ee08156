// The compiled taxonomy: entities, topics and their rules, and the one matcher they compile to.
//
// Source format (YAML, config/taxonomy/; documented in config/taxonomy/README.md):
//
//   taxonomy.yaml    version: "2026.11-1"
//                    entities: ["entities/*.yaml"]   # globs relative to this file
//                    topics: ["topics/*.yaml"]
//                    calibration: "calibration.yaml" # optional: fitted weights (newsflow fit)
//   entities/*.yaml  entities: [{id, type, name, tags, aliases: {lang: [...]},
//                                weak_aliases: {lang: [...]}, context: {lang: [...]}}]
//   topics/*.yaml    topic: {id, labels, description, threshold, field_weights,
//                            groups: {name: {lang: [phrase...]}}, rules: [...], exclude: {...}}
//
// Compile() turns the parsed files into an immutable Taxonomy. Every alias, group phrase,
// context word and exclusion becomes a Pattern in one Matcher (matcher.h), so matching an
// article costs one pass over its tokens whatever the number of rules; the score stage then
// evaluates only the topics whose patterns matched (presearch, as Lucene Monitor does).
// Compile errors name the file, line and the entity/topic/rule they concern.
//
// Threading: a Taxonomy is immutable after Compile(); share it as shared_ptr<const Taxonomy>
// (TaxonomyStore swaps snapshots atomically for hot reload).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "processors/core/document.h"
#include "processors/tag/matcher.h"
#include "schemas/result.h"

namespace newsflow::tag {

// What a pattern stands for. Patterns are numbered densely; `owner` indexes the vector the
// kind implies (entities_, groups_, topics_ for exclusions, entities_ for context words).
enum class PatternKind : uint8_t { kAlias, kWeakAlias, kContext, kGroup, kExclusion };

// Compact (16 bytes): a large taxonomy has millions of patterns. The phrase text and the
// language key live in the Taxonomy (pattern_text(), language()).
struct PatternInfo {
  PatternKind kind = PatternKind::kAlias;
  uint8_t padding[3] = {};  // explicit, so that a snapshot's bytes depend only on the content
  uint32_t owner = 0;
  uint32_t language_id = 0;  // the language key it was listed under, as Taxonomy::LanguageId
  uint32_t text = 0;         // the phrase as written in the taxonomy: Taxonomy::pattern_text()
};

struct Entity {
  std::string id;
  std::string type;
  std::string name;
  std::vector<std::string> tags;
  // `also_known_as:` other spellings of the canonical English name ("Recep Tayyip Erdoğan" for
  // "Recep Tayyip Erdogan", "Gaza Strip" for "Gaza"). They are names of the entity, not surface
  // forms: the matcher never sees them (aliases do that). `newsflow eval` counts a gold entity
  // name equal (case-insensitively) to the name or to one of these as found, so annotators'
  // two spellings of one entity count once. No two entities share one (the compiler checks).
  std::vector<std::string> also_known_as;
  bool has_weak_aliases = false;
};

// A reference in a rule: a term group of the topic, or entities selected by id, tag or type.
struct Ref {
  enum class Kind : uint8_t { kGroup, kEntity, kTag, kType };
  Kind kind = Kind::kGroup;
  uint32_t group = 0;  // kGroup: global group index
  std::string value;   // kEntity: entity id; kTag: tag; kType: type
  std::string text;    // as written, for explanations
  // kEntity, kTag, kType: index of the entities it selects in Taxonomy::entity_selection().
  uint32_t selection = 0;
};

struct Rule {
  // kPair: at an occurrence of the first reference (e.g. a meeting verb) that has at least two
  // *different* entities of the other references (entity selections) within `within` tokens in
  // the same field: "Putin met Xi", "talks between Lavrov and Rubio".
  enum class Kind : uint8_t { kAny, kAll, kNear, kPair };
  std::string name;
  Kind kind = Kind::kAny;
  std::vector<Ref> refs;
  std::vector<Ref> unless;  // `not:` the rule does not fire if any of these occurs
  uint32_t within = 0;      // kNear, kPair: max token distance
  double weight = 1.0;      // the hand-written weight (the fitting prior)
  // The weight fitted by `newsflow fit` (calibration.yaml); used instead of `weight` when the
  // topic is calibrated.
  double fitted_weight = 0.0;
  // The weight scoring uses.
  double EffectiveWeight(bool calibrated) const { return calibrated ? fitted_weight : weight; }
};

struct Group {
  std::string name;
  uint32_t topic = 0;
};

struct Topic {
  std::string id;
  std::map<std::string, std::string> labels;  // language -> label
  std::string description;
  double threshold = 0.5;       // the threshold in force (the fitted one when calibrated)
  double hand_threshold = 0.5;  // the topic file's threshold (for the hand formula)
  std::array<double, 3> field_weights = {2.0, 1.5, 1.0};  // indexed by core::Field
  std::vector<Rule> rules;
  std::vector<std::string> languages;  // languages its groups have phrases for, sorted
  std::vector<uint32_t> language_ids;  // the same as Taxonomy::LanguageId, sorted
  std::string source;                  // file:line of the topic, for messages
  // Calibration (calibration.yaml, written by `newsflow fit`): when set, the score is the
  // logistic  1 / (1 + e^-(bias + sum_r fitted_weight_r * (1 - e^-n_r)))  and `threshold` is the
  // fitted one; otherwise the hand formula 1 - e^-max(sum_r weight_r * (1 - e^-n_r), 0).
  bool calibrated = false;
  double bias = 0.0;

  const std::string& Label() const;  // English label, else the id
};

class Taxonomy final : public core::Snapshot {
 public:
  const std::string& version() const override { return version_; }
  // What the calibration was fitted on (calibration.yaml `fitted_on`), empty when uncalibrated.
  const std::string& calibration_note() const { return calibration_note_; }
  const std::vector<Entity>& entities() const { return entities_; }
  const std::vector<Topic>& topics() const { return topics_; }
  const std::vector<Group>& groups() const { return groups_; }
  // Every pattern (densely numbered as in the Matcher); a view into the taxonomy's tables (or
  // into a mapped snapshot file, snapshot.h), valid while the taxonomy lives.
  std::span<const PatternInfo> patterns() const { return patterns_; }
  // The phrase of pattern `pattern` as written in the taxonomy.
  std::string_view pattern_text(uint32_t pattern) const {
    const uint32_t begin = pattern_text_begin_[patterns_[pattern].text];
    return pattern_text_.substr(begin, pattern_text_begin_[patterns_[pattern].text + 1] - begin);
  }
  // The language key of a LanguageId.
  const std::string& language(uint32_t language_id) const { return languages_[language_id]; }
  const Matcher& matcher() const { return matcher_; }

  // Index of the entity with this id, or -1.
  int FindEntity(std::string_view id) const;
  int FindTopic(std::string_view id) const;

  // Dense id of a language key used by the taxonomy's phrases or topics, or -1.
  int LanguageId(std::string_view language) const;
  // The entities (ascending indices) that a Ref of kind kEntity, kTag or kType selects: resolved
  // once at compile time so that scoring compares indices, not strings. Refs with the same kind
  // and value share one list.
  const std::vector<uint32_t>& entity_selection(uint32_t selection) const {
    return entity_selections_[selection];
  }
  // The number of entity selections (selection ids are below it).
  size_t selection_count() const { return entity_selections_.size(); }
  // The inverse: the selections (ascending) that entity `entity` belongs to, as [begin, end).
  std::pair<const uint32_t*, const uint32_t*> selections_of(uint32_t entity) const {
    const uint32_t* base = selections_of_.data();
    return {base + selections_of_begin_[entity], base + selections_of_begin_[entity + 1]};
  }

  size_t alias_count() const { return alias_count_; }
  // Topics with a positive rule that can fire on entity references alone.
  const std::vector<uint32_t>& entity_triggered_topics() const { return entity_triggered_; }

 private:
  friend class TaxonomyCompiler;
  friend class SnapshotCodec;  // snapshot.cc
  // Points the views below at the owned tables (after compiling).
  void UseOwnedTables() {
    patterns_ = owned_patterns_;
    pattern_text_ = owned_pattern_text_;
    pattern_text_begin_ = owned_pattern_text_begin_;
  }
  std::string version_;
  std::string calibration_note_;
  std::vector<Entity> entities_;
  std::vector<Topic> topics_;
  std::vector<Group> groups_;
  // The pattern tables: the owned_* vectors when compiled here, views into a mapped snapshot
  // (kept alive by keep_alive_) when loaded; patterns_, pattern_text_ and pattern_text_begin_
  // are the views every reader uses.
  std::vector<PatternInfo> owned_patterns_;
  std::string owned_pattern_text_;                        // every phrase, end to end
  std::vector<uint32_t> owned_pattern_text_begin_ = {0};  // PatternInfo::text -> offset
  std::span<const PatternInfo> patterns_;
  std::string_view pattern_text_;
  std::span<const uint32_t> pattern_text_begin_;
  std::shared_ptr<const void> keep_alive_;
  Matcher matcher_;
  std::map<std::string, uint32_t, std::less<>> entity_index_;
  size_t alias_count_ = 0;
  std::vector<uint32_t> entity_triggered_;
  std::vector<std::string> languages_;  // by LanguageId
  std::vector<std::vector<uint32_t>> entity_selections_;
  std::vector<uint32_t> selections_of_begin_;  // entity -> first index in selections_of_
  std::vector<uint32_t> selections_of_;
};

// One source file: its name (for messages) and text.
struct SourceFile {
  std::string name;
  std::string text;
};

// Compiles a taxonomy from its manifest and the files it names. `read` returns the text of a
// file named relative to the manifest's directory (or an error); `list` expands a glob pattern
// ("entities/*.yaml") to such names, sorted. The functions keep Compile() free of I/O, so it
// can run on files from disk, from the binary (the built-in default) or from a test.
struct SourceProvider {
  std::function<Result<std::string>(const std::string& name)> read;
  std::function<std::vector<std::string>(const std::string& pattern)> list;
};

// What to compile. `calibration` false ignores the manifest's calibration file: `newsflow fit`
// and `newsflow eval` fit their own weights, and must work while the file is stale.
struct CompileOptions {
  bool calibration = true;
};

Result<std::shared_ptr<const Taxonomy>> CompileTaxonomy(const std::string& manifest_name,
                                                        const SourceProvider& sources,
                                                        CompileOptions options = {});

// A SourceProvider over a directory on disk.
SourceProvider DirectorySource(const std::string& directory);

// The built-in default taxonomy (config/taxonomy/ compiled into the binary).
SourceProvider BuiltinSource();
inline constexpr const char* kManifestName = "taxonomy.yaml";

// Loads and compiles: `path` is a taxonomy.yaml on disk, or empty for the built-in default.
Result<std::shared_ptr<const Taxonomy>> LoadTaxonomy(const std::string& path,
                                                     CompileOptions options = {});

// Holds the current snapshot; Swap() replaces it atomically. Readers Get() a shared_ptr that
// keeps their snapshot alive however many swaps happen meanwhile.
class TaxonomyStore {
 public:
  explicit TaxonomyStore(std::shared_ptr<const Taxonomy> initial) : current_(std::move(initial)) {}
  std::shared_ptr<const Taxonomy> Get() const { return current_.load(std::memory_order_acquire); }
  void Swap(std::shared_ptr<const Taxonomy> next) {
    current_.store(std::move(next), std::memory_order_release);
  }

 private:
  std::atomic<std::shared_ptr<const Taxonomy>> current_;
};

}  // namespace newsflow::tag
