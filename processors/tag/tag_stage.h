// Tag stage: finds the taxonomy's entities and topic terms in the token stream.
//
// For each record it pins the current taxonomy snapshot (Document::taxonomy, so the score stage
// and the output's provenance.taxonomy_version see the same version even if a reload happens
// meanwhile), runs the one compiled Matcher over the tokens (Document::hits), and resolves
// entity mentions:
//   * longest match wins: an alias hit inside a longer alias hit is dropped (ترامب inside
//     دونالد ترامب counts once; "Gaza" inside "Gaza Strip" is the Gaza Strip);
//   * a weak alias counts only when the same entity also has a strong mention in the article,
//     or one of its context words is within `context_window` tokens;
//   * salience in [0, 1] = 0.45 * [mentioned in the title]
//                        + 0.35 * (1 - e^(-mentions / 2))
//                        + 0.20 * (1 - first_token / token_count).
// Entities are listed by salience (highest first) with up to `max_mentions` mentions each:
// matched text, field, and byte offsets into the original title/body.
// With `unlinked_names` on, proper-name spans that no gazetteer entity covers follow them as
// entities of type "name" (names.h); they add no hit, so topic scores do not see them.
#pragma once

#include <memory>
#include <string>

#include <yaml-cpp/yaml.h>

#include "processors/core/stage.h"
#include "processors/tag/names.h"
#include "processors/tag/taxonomy.h"
#include "schemas/result.h"

namespace newsflow::tag {

struct TagConfig {
  int64_t context_window = 10;
  int64_t max_mentions = 20;
  bool unlinked_names = true;  // list unlinked name mentions (names.h)
  static Result<TagConfig> FromYaml(const YAML::Node& node, const std::string& path);
};

class TagStage final : public core::Stage {
 public:
  static Result<std::unique_ptr<core::Stage>> Create(const YAML::Node& node,
                                                     const std::string& path,
                                                     std::shared_ptr<const TaxonomyStore> store);
  // `names`: the unlinked-name finder, required when config.unlinked_names is on.
  TagStage(TagConfig config, std::shared_ptr<const TaxonomyStore> store,
           std::shared_ptr<const NameFinder> names = nullptr)
      : config_(config), store_(std::move(store)), names_(std::move(names)) {}

  std::string_view Name() const override { return "tag"; }
  Status Process(core::Document& doc, const core::StageContext& ctx) const override;

 private:
  TagConfig config_;
  std::shared_ptr<const TaxonomyStore> store_;
  std::shared_ptr<const NameFinder> names_;
};

// Salience in [0, 1] of an entity (formula above), rounded to 4 decimals.
double EntitySalience(bool in_title, size_t mentions, uint32_t first_token, size_t token_count);

// The original text a token's offsets point into (title, or body for lead/body tokens).
std::string_view OriginalText(const core::Document& doc, core::Field field);

// A Match for tokens [begin, end) of `doc`.
core::Match MatchForTokens(const core::Document& doc, uint32_t begin, uint32_t end,
                           std::string rule = {});

}  // namespace newsflow::tag
