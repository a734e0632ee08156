#include "processors/tag/taxonomy.h"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "processors/normalize/tokenize.h"
#include "schemas/embedded.h"

namespace newsflow::tag {
namespace embedded {
extern const EmbeddedFile kTaxonomy[];
extern const std::size_t kTaxonomy_count;
}  // namespace embedded

const std::string& Topic::Label() const {
  auto it = labels.find("en");
  return it != labels.end() ? it->second : id;
}

int Taxonomy::FindEntity(std::string_view id) const {
  auto it = entity_index_.find(id);
  return it == entity_index_.end() ? -1 : static_cast<int>(it->second);
}

int Taxonomy::LanguageId(std::string_view language) const {
  for (size_t i = 0; i < languages_.size(); ++i) {
    if (languages_[i] == language) return static_cast<int>(i);
  }
  return -1;
}

int Taxonomy::FindTopic(std::string_view id) const {
  for (size_t i = 0; i < topics_.size(); ++i) {
    if (topics_[i].id == id) return static_cast<int>(i);
  }
  return -1;
}

namespace {

// "US", "UN", "EU", "ООН": 2-3 letters, all upper case (ASCII or Cyrillic). Such aliases match
// only the same upper-case text, since their lower-case forms are common words (us, un, eu).
bool IsShortAcronym(std::string_view word) {
  size_t letters = 0;
  for (size_t i = 0; i < word.size();) {
    const unsigned char c = static_cast<unsigned char>(word[i]);
    if (c >= 'A' && c <= 'Z') {
      ++letters;
      ++i;
    } else if (c == 0xD0 && i + 1 < word.size() &&
               static_cast<unsigned char>(word[i + 1]) >= 0x90 &&
               static_cast<unsigned char>(word[i + 1]) <= 0xAF) {
      ++letters;  // Cyrillic А..Я
      i += 2;
    } else {
      return false;
    }
  }
  return letters >= 2 && letters <= 3;
}

}  // namespace

// Builds a Taxonomy from YAML nodes. Every error carries "file:line: <what>: message".
class TaxonomyCompiler {
 public:
  TaxonomyCompiler(const SourceProvider& sources, CompileOptions options)
      : sources_(sources), options_(options) {}

  Result<std::shared_ptr<const Taxonomy>> Compile(const std::string& manifest_name);

 private:
  Status Error(const std::string& file, const YAML::Node& at, const std::string& what) const {
    std::string where = file;
    if (at.IsDefined() && at.Mark().line >= 0) where += ":" + std::to_string(at.Mark().line + 1);
    return Status(Code::kInvalidConfig, "taxonomy", where + ": " + what);
  }
  Status CheckKeys(const std::string& file, const YAML::Node& node,
                   std::initializer_list<std::string_view> known, const std::string& what) const;
  Result<YAML::Node> Parse(const std::string& name) const;
  Status LoadEntities(const std::string& file, YAML::Node root);
  Status LoadTopic(const std::string& file, YAML::Node root);
  // Adds the `more_aliases` lists (aliases for entities defined in any entities file, e.g. the
  // generated gazetteer's names for hand-curated countries) once every entity is loaded.
  Status LoadMoreAliases();
  // Reads an entity's `also_known_as` list into `e` (non-empty strings, none equal to its name).
  Status AlsoKnownAs(const std::string& file, const YAML::Node& list, const std::string& label,
                     Entity* e);
  // Once every entity is loaded: no also_known_as name is another entity's name or
  // also_known_as name (eval would count one gold name for two entities).
  Status CheckAlsoKnownAs() const;
  // Applies calibration.yaml (fitted bias, weights and threshold per topic) to loaded topics.
  Status LoadCalibration(const std::string& file, YAML::Node root);
  // Compiles one phrase (taxonomy syntax) into matcher tokens.
  Status CompilePhrase(const std::string& file, const YAML::Node& at, const std::string& what,
                       const std::string& phrase, const std::string& language,
                       std::vector<PatternToken>* out) const;
  // Adds every phrase of a {language: [phrase...]} map as patterns of `kind`/`owner`.
  Status AddPhrases(const std::string& file, const YAML::Node& by_language, PatternKind kind,
                    uint32_t owner, const std::string& what);
  // Fills the ids that scoring compares instead of strings (languages, entity selections).
  void ResolveIds();
  // The id of a language key, added on first use.
  uint32_t LanguageId(const std::string& language) {
    auto [it, added] = language_ids_.emplace(language, static_cast<uint32_t>(language_ids_.size()));
    if (added) tax_->languages_.push_back(language);
    return it->second;
  }
  Result<Ref> ParseRef(const std::string& file, const YAML::Node& at, const std::string& text,
                       const std::map<std::string, uint32_t>& groups,
                       const std::string& rule) const;

  const SourceProvider& sources_;
  CompileOptions options_;
  std::shared_ptr<Taxonomy> tax_ = std::make_shared<Taxonomy>();
  std::map<std::string, uint32_t, std::less<>> language_ids_;
  std::vector<std::pair<std::string, YAML::Node>> pending_aliases_;  // (file, more_aliases)
  // Lower-case (ASCII, as eval compares) also_known_as name -> the entity id that has it.
  std::map<std::string, std::string, std::less<>> also_known_as_owner_;
};

namespace {
std::string AsciiLower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

Status TaxonomyCompiler::AlsoKnownAs(const std::string& file, const YAML::Node& list,
                                     const std::string& label, Entity* e) {
  if (!list.IsSequence()) return Error(file, list, label + ": also_known_as: expected a list");
  for (const auto& item : list) {
    if (!item.IsScalar() || item.Scalar().empty()) {
      return Error(file, item, label + ": also_known_as: expected non-empty names");
    }
    std::string lower = AsciiLower(item.Scalar());
    if (lower == AsciiLower(e->name)) {
      return Error(file, item, label + ": also_known_as: '" + item.Scalar() + "' is its name");
    }
    auto [it, added] = also_known_as_owner_.emplace(lower, e->id);
    if (!added) {
      return Error(file, item,
                   label + ": also_known_as: '" + item.Scalar() + "' is also listed by " +
                       (it->second == e->id ? std::string("this entity") : "'" + it->second + "'"));
    }
    e->also_known_as.push_back(item.Scalar());
  }
  return Status::Ok();
}

Status TaxonomyCompiler::CheckAlsoKnownAs() const {
  for (const Entity& e : tax_->entities_) {
    const auto it = also_known_as_owner_.find(AsciiLower(e.name));
    if (it != also_known_as_owner_.end() && it->second != e.id) {
      return Status(Code::kInvalidConfig, "taxonomy",
                    "entity '" + it->second + "': also_known_as: '" + e.name +
                        "' is the name of entity '" + e.id + "'");
    }
  }
  return Status::Ok();
}

Status TaxonomyCompiler::CheckKeys(const std::string& file, const YAML::Node& node,
                                   std::initializer_list<std::string_view> known,
                                   const std::string& what) const {
  if (!node.IsMap()) return Error(file, node, what + ": expected a mapping");
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return Error(file, kv.first, what + ": unknown key '" + key + "'");
    }
  }
  return Status::Ok();
}

Result<YAML::Node> TaxonomyCompiler::Parse(const std::string& name) const {
  NEWSFLOW_ASSIGN_OR_RETURN(std::string text, sources_.read(name));
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    return Status(Code::kInvalidConfig, "taxonomy",
                  name + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

Status TaxonomyCompiler::CompilePhrase(const std::string& file, const YAML::Node& at,
                                       const std::string& what, const std::string& phrase_text,
                                       const std::string& language,
                                       std::vector<PatternToken>* out) const {
  std::string_view phrase = phrase_text;
  bool stem_mode = false;
  if (!phrase.empty() && phrase.front() == '~') {
    stem_mode = true;
    phrase.remove_prefix(1);
  }
  std::istringstream words{std::string(phrase)};
  std::string word;
  const int stemmer = normalize::StemmerFor(language);
  while (words >> word) {
    bool prefix = false;
    if (word.size() > 1 && word.back() == '*') {
      prefix = true;
      word.pop_back();
    }
    normalize::TokenStream ts;
    normalize::Tokenize(word, {.language = language}, &ts);
    // Punctuation between words ("Папуа — Новая Гвинея") is skipped, as in article text.
    if (ts.tokens.empty()) continue;
    for (size_t k = 0; k < ts.tokens.size(); ++k) {
      const core::Token& t = ts.tokens[k];
      PatternToken p;
      p.form = std::string(ts.Folded(t));
      if (prefix && k + 1 == ts.tokens.size()) {
        p.mode = TokenMode::kPrefix;
        // A prefix must be selective: at least 3 letters, unless earlier words of the phrase
        // already narrow it down ("f-16*" is f + 16*).
        size_t letters = 0;
        for (unsigned char c : p.form) letters += (c & 0xC0) != 0x80 ? 1 : 0;
        if (letters < 3 && out->empty() && k == 0) {
          return Error(file, at,
                       what + ": phrase '" + phrase_text + "': prefix '" + p.form +
                           "*' is shorter than 3 letters");
        }
      } else if (stem_mode) {
        if (stemmer < 0) {
          return Error(file, at,
                       what + ": phrase '" + phrase_text + "': no Snowball stemmer for language '" +
                           language + "' (use a prefix* instead of ~)");
        }
        p.mode = TokenMode::kStem;
        p.form = std::string(normalize::Stem(stemmer, ts.Folded(t)));
      } else {
        p.mode = TokenMode::kExact;
        // Bare-to-bare matching (والبيت ~ البيت) only for an alias word with the article:
        // stripping a leading و/ب/ل/ف/ك of a name (وين, ليما) would make it match unrelated
        // words that start with another clitic letter (بين, فيما).
        if (ts.Folded(t).rfind("\xD8\xA7\xD9\x84", 0) == 0) p.bare = std::string(ts.Bare(t));
        if (IsShortAcronym(word)) p.surface = word;
      }
      out->push_back(std::move(p));
    }
  }
  if (out->empty()) return Error(file, at, what + ": empty phrase");
  if (out->size() > kMaxPatternTokens) {
    return Error(file, at,
                 what + ": phrase '" + phrase_text + "' has more than " +
                     std::to_string(kMaxPatternTokens) + " words");
  }
  return Status::Ok();
}

Status TaxonomyCompiler::AddPhrases(const std::string& file, const YAML::Node& by_language,
                                    PatternKind kind, uint32_t owner, const std::string& what) {
  if (!by_language.IsDefined() || by_language.IsNull()) return Status::Ok();
  if (!by_language.IsMap()) {
    return Error(file, by_language, what + ": expected a mapping of language -> list of phrases");
  }
  for (const auto& kv : by_language) {
    const std::string language = kv.first.Scalar();
    if (!kv.second.IsSequence()) {
      return Error(file, kv.second, what + "." + language + ": expected a list of phrases");
    }
    for (const auto& item : kv.second) {
      if (!item.IsScalar() || item.Scalar().empty()) {
        return Error(file, item, what + "." + language + ": expected a non-empty string");
      }
      std::vector<PatternToken> tokens;
      NEWSFLOW_RETURN_IF_ERROR(
          CompilePhrase(file, item, what + "." + language, item.Scalar(), language, &tokens));
      tax_->matcher_.Add(std::move(tokens));
      tax_->owned_pattern_text_ += item.Scalar();
      tax_->owned_pattern_text_begin_.push_back(
          static_cast<uint32_t>(tax_->owned_pattern_text_.size()));
      PatternInfo info;
      info.kind = kind;
      info.owner = owner;
      info.language_id = LanguageId(language);
      info.text = static_cast<uint32_t>(tax_->owned_pattern_text_begin_.size() - 2);
      tax_->owned_patterns_.push_back(info);
      if (kind == PatternKind::kAlias || kind == PatternKind::kWeakAlias) ++tax_->alias_count_;
    }
  }
  return Status::Ok();
}

Status TaxonomyCompiler::LoadEntities(const std::string& file, YAML::Node root) {
  NEWSFLOW_RETURN_IF_ERROR(CheckKeys(file, root, {"entities", "more_aliases"}, "entities file"));
  if (root["more_aliases"].IsDefined()) {
    if (!root["more_aliases"].IsSequence())
      return Error(file, root["more_aliases"], "more_aliases: expected a list");
    pending_aliases_.push_back({file, root["more_aliases"]});
  }
  YAML::Node list = root["entities"];
  if (!list.IsDefined() && root["more_aliases"].IsDefined()) return Status::Ok();
  if (!list.IsSequence()) return Error(file, list, "entities: expected a list");
  for (YAML::Node node : list) {
    const std::string label =
        node["id"].IsScalar() ? "entity '" + node["id"].Scalar() + "'" : std::string("entity");
    NEWSFLOW_RETURN_IF_ERROR(CheckKeys(file, node,
                                       {"id", "type", "name", "tags", "also_known_as", "aliases",
                                        "weak_aliases", "context", "wikidata"},
                                       label));
    Entity e;
    for (const char* key : {"id", "type", "name"}) {
      if (!node[key].IsScalar() || node[key].Scalar().empty()) {
        return Error(file, node, label + ": '" + key + "' is required");
      }
    }
    e.id = node["id"].Scalar();
    e.type = node["type"].Scalar();
    e.name = node["name"].Scalar();
    if (node["tags"].IsDefined()) {
      if (!node["tags"].IsSequence())
        return Error(file, node["tags"], label + ": tags: expected a list");
      for (const auto& t : node["tags"]) e.tags.push_back(t.Scalar());
    }
    if (node["also_known_as"].IsDefined()) {
      NEWSFLOW_RETURN_IF_ERROR(AlsoKnownAs(file, node["also_known_as"], label, &e));
    }
    if (tax_->entity_index_.contains(e.id)) {
      return Error(file, node["id"], label + ": duplicate id");
    }
    if (!node["aliases"].IsMap()) return Error(file, node, label + ": 'aliases' is required");
    const uint32_t index = static_cast<uint32_t>(tax_->entities_.size());
    e.has_weak_aliases = node["weak_aliases"].IsDefined();
    tax_->entity_index_.emplace(e.id, index);
    tax_->entities_.push_back(std::move(e));
    NEWSFLOW_RETURN_IF_ERROR(
        AddPhrases(file, node["aliases"], PatternKind::kAlias, index, label + ": aliases"));
    NEWSFLOW_RETURN_IF_ERROR(AddPhrases(file, node["weak_aliases"], PatternKind::kWeakAlias, index,
                                        label + ": weak_aliases"));
    NEWSFLOW_RETURN_IF_ERROR(
        AddPhrases(file, node["context"], PatternKind::kContext, index, label + ": context"));
  }
  return Status::Ok();
}

Status TaxonomyCompiler::LoadMoreAliases() {
  for (const auto& [file, list] : pending_aliases_) {
    for (const YAML::Node& node : list) {
      if (!node.IsMap()) return Error(file, node, "more_aliases: each item must be a map");
      const std::string label =
          node["id"].IsScalar() ? "more_aliases '" + node["id"].Scalar() + "'" : "more_aliases";
      NEWSFLOW_RETURN_IF_ERROR(
          CheckKeys(file, node, {"id", "aliases", "weak_aliases", "context"}, label));
      const int index = node["id"].IsScalar() ? tax_->FindEntity(node["id"].Scalar()) : -1;
      if (index < 0) return Error(file, node, label + ": unknown entity id");
      const bool has_aliases = node["aliases"].IsDefined();
      const bool has_weak = node["weak_aliases"].IsDefined();
      if (has_aliases && !node["aliases"].IsMap())
        return Error(file, node["aliases"], label + ": aliases: expected a mapping");
      if (has_weak && !node["weak_aliases"].IsMap())
        return Error(file, node["weak_aliases"], label + ": weak_aliases: expected a mapping");
      if (!has_aliases && !has_weak)
        return Error(file, node, label + ": 'aliases' or 'weak_aliases' is required");
      Entity& entity = tax_->entities_[static_cast<size_t>(index)];
      // Context terms confirm the entity's weak aliases (all of them, of any file): they are
      // accepted only next to weak aliases, here or in the entity's own definition.
      if (node["context"].IsDefined() && !has_weak && !entity.has_weak_aliases)
        return Error(file, node["context"], label + ": 'context' needs weak_aliases");
      const auto owner = static_cast<uint32_t>(index);
      if (has_weak) entity.has_weak_aliases = true;
      NEWSFLOW_RETURN_IF_ERROR(
          AddPhrases(file, node["aliases"], PatternKind::kAlias, owner, label + ": aliases"));
      NEWSFLOW_RETURN_IF_ERROR(AddPhrases(file, node["weak_aliases"], PatternKind::kWeakAlias,
                                          owner, label + ": weak_aliases"));
      NEWSFLOW_RETURN_IF_ERROR(
          AddPhrases(file, node["context"], PatternKind::kContext, owner, label + ": context"));
    }
  }
  pending_aliases_.clear();
  return Status::Ok();
}

Result<Ref> TaxonomyCompiler::ParseRef(const std::string& file, const YAML::Node& at,
                                       const std::string& text,
                                       const std::map<std::string, uint32_t>& groups,
                                       const std::string& rule) const {
  Ref ref;
  ref.text = text;
  auto entity_ref = [&](std::string_view prefix, Ref::Kind kind) {
    if (text.rfind(prefix, 0) != 0) return false;
    ref.kind = kind;
    ref.value = text.substr(prefix.size());
    return true;
  };
  if (entity_ref("@entity:", Ref::Kind::kEntity)) {
    if (tax_->FindEntity(ref.value) < 0) {
      return Error(file, at, rule + ": unknown entity '" + ref.value + "'");
    }
    return ref;
  }
  if (entity_ref("@tag:", Ref::Kind::kTag) || entity_ref("@type:", Ref::Kind::kType)) {
    if (ref.value.empty()) return Error(file, at, rule + ": empty reference '" + text + "'");
    return ref;
  }
  if (!text.empty() && text[0] == '@') {
    return Error(file, at, rule + ": '" + text + "': use @entity:ID, @tag:TAG or @type:TYPE");
  }
  auto it = groups.find(text);
  if (it == groups.end()) return Error(file, at, rule + ": unknown group '" + text + "'");
  ref.kind = Ref::Kind::kGroup;
  ref.group = it->second;
  return ref;
}

Status TaxonomyCompiler::LoadTopic(const std::string& file, YAML::Node root) {
  NEWSFLOW_RETURN_IF_ERROR(CheckKeys(file, root, {"topic"}, "topic file"));
  YAML::Node node = root["topic"];
  NEWSFLOW_RETURN_IF_ERROR(CheckKeys(
      file, node,
      {"id", "labels", "description", "threshold", "field_weights", "groups", "rules", "exclude"},
      "topic"));
  Topic topic;
  if (!node["id"].IsScalar() || node["id"].Scalar().empty())
    return Error(file, node, "topic: 'id' is required");
  topic.id = node["id"].Scalar();
  const std::string label = "topic '" + topic.id + "'";
  topic.source = file + ":" + std::to_string(node.Mark().line + 1);
  if (tax_->FindTopic(topic.id) >= 0) return Error(file, node["id"], label + ": duplicate id");
  if (node["labels"].IsMap()) {
    for (const auto& kv : node["labels"]) topic.labels[kv.first.Scalar()] = kv.second.Scalar();
  }
  if (node["description"].IsScalar()) topic.description = node["description"].Scalar();
  if (node["threshold"].IsDefined()) {
    if (!YAML::convert<double>::decode(node["threshold"], topic.threshold) ||
        topic.threshold <= 0 || topic.threshold > 1) {
      return Error(file, node["threshold"], label + ": threshold must be a number in (0, 1]");
    }
    topic.hand_threshold = topic.threshold;
  }
  if (node["field_weights"].IsDefined()) {
    NEWSFLOW_RETURN_IF_ERROR(CheckKeys(file, node["field_weights"], {"title", "lead", "body"},
                                       label + ": field_weights"));
    const char* names[] = {"title", "lead", "body"};
    for (int f = 0; f < 3; ++f) {
      YAML::Node w = node["field_weights"][names[f]];
      if (w.IsDefined() && (!YAML::convert<double>::decode(w, topic.field_weights[f]) ||
                            topic.field_weights[f] < 0)) {
        return Error(file, w, label + ": field_weights." + names[f] + " must be a number >= 0");
      }
    }
  }
  const uint32_t topic_index = static_cast<uint32_t>(tax_->topics_.size());
  std::map<std::string, uint32_t> groups;
  if (!node["groups"].IsMap()) return Error(file, node, label + ": 'groups' is required");
  for (const auto& kv : node["groups"]) {
    const std::string name = kv.first.Scalar();
    const uint32_t g = static_cast<uint32_t>(tax_->groups_.size());
    tax_->groups_.push_back({name, topic_index});
    groups[name] = g;
    NEWSFLOW_RETURN_IF_ERROR(
        AddPhrases(file, kv.second, PatternKind::kGroup, g, label + ": group '" + name + "'"));
  }
  NEWSFLOW_RETURN_IF_ERROR(
      AddPhrases(file, node["exclude"], PatternKind::kExclusion, topic_index, label + ": exclude"));
  for (const auto& kv : node["groups"]) {
    for (const auto& lang : kv.second) topic.languages.push_back(lang.first.Scalar());
  }
  std::sort(topic.languages.begin(), topic.languages.end());
  topic.languages.erase(std::unique(topic.languages.begin(), topic.languages.end()),
                        topic.languages.end());
  if (!node["rules"].IsSequence() || node["rules"].size() == 0) {
    return Error(file, node, label + ": 'rules' must be a non-empty list");
  }
  for (YAML::Node r : node["rules"]) {
    Rule rule;
    rule.name = r["name"].IsScalar() ? r["name"].Scalar() : std::string();
    const std::string what = label + ": rule '" + rule.name + "'";
    NEWSFLOW_RETURN_IF_ERROR(CheckKeys(
        file, r, {"name", "any", "all", "near", "pair", "within", "not", "weight"}, what));
    if (rule.name.empty()) return Error(file, r, label + ": rule without 'name'");
    for (const auto& earlier : topic.rules) {
      // Names key the fitted weights of calibration.yaml.
      if (earlier.name == rule.name) return Error(file, r, what + ": duplicate rule name");
    }
    int kinds = 0;
    YAML::Node refs;
    for (auto [key, kind] :
         {std::pair{"any", Rule::Kind::kAny}, std::pair{"all", Rule::Kind::kAll},
          std::pair{"near", Rule::Kind::kNear}, std::pair{"pair", Rule::Kind::kPair}}) {
      if (r[key].IsDefined()) {
        ++kinds;
        rule.kind = kind;
        refs = r[key];
      }
    }
    if (kinds != 1) return Error(file, r, what + ": needs exactly one of any, all, near, pair");
    if (!refs.IsSequence() || refs.size() == 0)
      return Error(file, refs, what + ": expected a non-empty list");
    for (const auto& item : refs) {
      NEWSFLOW_ASSIGN_OR_RETURN(Ref ref, ParseRef(file, item, item.Scalar(), groups, what));
      rule.refs.push_back(std::move(ref));
    }
    if (rule.kind == Rule::Kind::kPair) {
      if (rule.refs.size() < 2)
        return Error(file, refs, what + ": pair takes 2 or more references");
      for (size_t k = 1; k < rule.refs.size(); ++k) {
        if (rule.refs[k].kind == Ref::Kind::kGroup)
          return Error(file, refs, what + ": pair: references after the first must be entities");
      }
    }
    if (rule.kind == Rule::Kind::kNear || rule.kind == Rule::Kind::kPair) {
      if (rule.kind == Rule::Kind::kNear && rule.refs.size() != 2)
        return Error(file, refs, what + ": near takes exactly two references");
      if (!r["within"].IsDefined() || !YAML::convert<uint32_t>::decode(r["within"], rule.within) ||
          rule.within == 0) {
        return Error(file, r,
                     what + (rule.kind == Rule::Kind::kNear ? ": near" : ": pair") +
                         " needs 'within' (a positive number of tokens)");
      }
    } else if (r["within"].IsDefined()) {
      return Error(file, r["within"], what + ": 'within' only applies to near and pair");
    }
    if (r["not"].IsDefined()) {
      if (!r["not"].IsSequence()) return Error(file, r["not"], what + ": not: expected a list");
      for (const auto& item : r["not"]) {
        NEWSFLOW_ASSIGN_OR_RETURN(Ref ref, ParseRef(file, item, item.Scalar(), groups, what));
        rule.unless.push_back(std::move(ref));
      }
    }
    if (r["weight"].IsDefined() && !YAML::convert<double>::decode(r["weight"], rule.weight)) {
      return Error(file, r["weight"], what + ": weight must be a number");
    }
    topic.rules.push_back(std::move(rule));
  }
  // Presearch needs to know topics that entities alone can trigger (an `any` of entities only).
  for (const auto& rule : topic.rules) {
    bool entities_only = rule.kind == Rule::Kind::kAny && rule.weight > 0;
    for (const auto& ref : rule.refs)
      entities_only = entities_only && ref.kind != Ref::Kind::kGroup;
    if (entities_only) {
      tax_->entity_triggered_.push_back(topic_index);
      break;
    }
  }
  tax_->topics_.push_back(std::move(topic));
  return Status::Ok();
}

Result<std::shared_ptr<const Taxonomy>> TaxonomyCompiler::Compile(const std::string& manifest) {
  NEWSFLOW_ASSIGN_OR_RETURN(YAML::Node root, Parse(manifest));
  NEWSFLOW_RETURN_IF_ERROR(
      CheckKeys(manifest, root, {"version", "entities", "topics", "calibration"}, "manifest"));
  if (!root["version"].IsScalar() || root["version"].Scalar().empty()) {
    return Error(manifest, root, "manifest: 'version' is required");
  }
  tax_->version_ = root["version"].Scalar();
  for (const char* section : {"entities", "topics"}) {
    YAML::Node globs = root[section];
    if (!globs.IsSequence())
      return Error(manifest, root,
                   std::string("manifest: '") + section + "' must be a list of file patterns");
    for (const auto& glob : globs) {
      const std::vector<std::string> files = sources_.list(glob.Scalar());
      if (files.empty()) return Error(manifest, glob, "no file matches '" + glob.Scalar() + "'");
      for (const auto& file : files) {
        NEWSFLOW_ASSIGN_OR_RETURN(YAML::Node doc, Parse(file));
        try {
          NEWSFLOW_RETURN_IF_ERROR(std::string_view(section) == "entities" ? LoadEntities(file, doc)
                                                                           : LoadTopic(file, doc));
        } catch (const YAML::Exception& e) {
          return Status(Code::kInvalidConfig, "taxonomy",
                        file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
        }
      }
    }
    if (std::string_view(section) == "entities") {
      NEWSFLOW_RETURN_IF_ERROR(LoadMoreAliases());
      NEWSFLOW_RETURN_IF_ERROR(CheckAlsoKnownAs());
    }
  }
  if (root["calibration"].IsDefined() && options_.calibration) {
    if (!root["calibration"].IsScalar())
      return Error(manifest, root["calibration"], "manifest: 'calibration' must be a file name");
    const std::string file = root["calibration"].Scalar();
    NEWSFLOW_ASSIGN_OR_RETURN(YAML::Node doc, Parse(file));
    try {
      NEWSFLOW_RETURN_IF_ERROR(LoadCalibration(file, doc));
    } catch (const YAML::Exception& e) {
      return Status(Code::kInvalidConfig, "taxonomy",
                    file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
  }
  ResolveIds();
  tax_->matcher_.Build();
  return std::shared_ptr<const Taxonomy>(std::move(tax_));
}

Status TaxonomyCompiler::LoadCalibration(const std::string& file, YAML::Node root) {
  NEWSFLOW_RETURN_IF_ERROR(CheckKeys(file, root, {"calibration"}, "calibration file"));
  YAML::Node cal = root["calibration"];
  NEWSFLOW_RETURN_IF_ERROR(CheckKeys(file, cal, {"fitted_on", "topics"}, "calibration"));
  if (cal["fitted_on"].IsScalar()) tax_->calibration_note_ = cal["fitted_on"].Scalar();
  if (!cal["topics"].IsMap()) return Error(file, cal, "calibration: 'topics' must be a mapping");
  for (const auto& kv : cal["topics"]) {
    const std::string id = kv.first.Scalar();
    const int t = tax_->FindTopic(id);
    if (t < 0) return Error(file, kv.first, "calibration: unknown topic '" + id + "'");
    Topic& topic = tax_->topics_[static_cast<size_t>(t)];
    const std::string what = "calibration: topic '" + id + "'";
    const YAML::Node node = kv.second;
    NEWSFLOW_RETURN_IF_ERROR(CheckKeys(file, node, {"bias", "threshold", "weights"}, what));
    double threshold = 0.0;
    if (!YAML::convert<double>::decode(node["bias"], topic.bias))
      return Error(file, node, what + ": 'bias' must be a number");
    if (!YAML::convert<double>::decode(node["threshold"], threshold) || threshold <= 0 ||
        threshold > 1) {
      return Error(file, node, what + ": 'threshold' must be a number in (0, 1]");
    }
    topic.threshold = threshold;
    if (!node["weights"].IsMap()) return Error(file, node, what + ": 'weights' must be a mapping");
    size_t seen = 0;
    for (const auto& w : node["weights"]) {
      const std::string name = w.first.Scalar();
      auto rule = std::find_if(topic.rules.begin(), topic.rules.end(),
                               [&](const Rule& r) { return r.name == name; });
      if (rule == topic.rules.end())
        return Error(file, w.first, what + ": unknown rule '" + name + "' (re-run newsflow fit)");
      if (!YAML::convert<double>::decode(w.second, rule->fitted_weight))
        return Error(file, w.second, what + ": weight of '" + name + "' must be a number");
      ++seen;
    }
    if (seen != topic.rules.size()) {
      return Error(file, node,
                   what + ": has " + std::to_string(seen) + " weights for " +
                       std::to_string(topic.rules.size()) +
                       " rules (the topic changed: re-run newsflow fit)");
    }
    topic.calibrated = true;
  }
  return Status::Ok();
}

void TaxonomyCompiler::ResolveIds() {
  auto language_id = [&](const std::string& language) { return LanguageId(language); };
  tax_->owned_pattern_text_.shrink_to_fit();
  tax_->owned_pattern_text_begin_.shrink_to_fit();
  tax_->owned_patterns_.shrink_to_fit();
  tax_->UseOwnedTables();
  std::map<std::pair<Ref::Kind, std::string>, uint32_t> selections;
  auto resolve = [&](Ref& ref) {
    if (ref.kind == Ref::Kind::kGroup) return;
    auto [it, added] = selections.emplace(std::pair(ref.kind, ref.value),
                                          static_cast<uint32_t>(selections.size()));
    ref.selection = it->second;
    if (!added) return;
    std::vector<uint32_t> selected;
    for (uint32_t i = 0; i < tax_->entities_.size(); ++i) {
      const Entity& e = tax_->entities_[i];
      bool match = false;
      switch (ref.kind) {
        case Ref::Kind::kEntity:
          match = e.id == ref.value;
          break;
        case Ref::Kind::kTag:
          match = std::find(e.tags.begin(), e.tags.end(), ref.value) != e.tags.end();
          break;
        case Ref::Kind::kType:
          match = e.type == ref.value;
          break;
        case Ref::Kind::kGroup:
          break;
      }
      if (match) selected.push_back(i);
    }
    tax_->entity_selections_.push_back(std::move(selected));
  };
  for (auto& topic : tax_->topics_) {
    for (const auto& language : topic.languages)
      topic.language_ids.push_back(language_id(language));
    std::sort(topic.language_ids.begin(), topic.language_ids.end());
    for (auto& rule : topic.rules) {
      for (auto& ref : rule.refs) resolve(ref);
      for (auto& ref : rule.unless) resolve(ref);
    }
  }
  std::vector<std::pair<uint32_t, uint32_t>> pairs;  // (entity, selection)
  for (uint32_t s = 0; s < tax_->entity_selections_.size(); ++s) {
    for (uint32_t e : tax_->entity_selections_[s]) pairs.push_back({e, s});
  }
  std::sort(pairs.begin(), pairs.end());
  tax_->selections_of_begin_.assign(tax_->entities_.size() + 1, 0);
  for (const auto& [e, s] : pairs) {
    ++tax_->selections_of_begin_[e + 1];
    tax_->selections_of_.push_back(s);
  }
  for (size_t e = 0; e < tax_->entities_.size(); ++e) {
    tax_->selections_of_begin_[e + 1] += tax_->selections_of_begin_[e];
  }
}

Result<std::shared_ptr<const Taxonomy>> CompileTaxonomy(const std::string& manifest_name,
                                                        const SourceProvider& sources,
                                                        CompileOptions options) {
  TaxonomyCompiler compiler(sources, options);
  return compiler.Compile(manifest_name);
}

namespace {

std::vector<std::string> Glob(const std::vector<std::string>& names, const std::string& pattern) {
  std::vector<std::string> out;
  for (const auto& name : names) {
    if (fnmatch(pattern.c_str(), name.c_str(), FNM_PATHNAME) == 0) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

SourceProvider DirectorySource(const std::string& directory) {
  namespace fs = std::filesystem;
  SourceProvider p;
  p.read = [directory](const std::string& name) -> Result<std::string> {
    const fs::path path = fs::path(directory) / name;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return Status(Code::kInvalidConfig, "taxonomy", path.string() + ": cannot open file");
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  p.list = [directory](const std::string& pattern) {
    std::vector<std::string> names;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(directory, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file()) names.push_back(fs::relative(it->path(), directory).string());
    }
    return Glob(names, pattern);
  };
  return p;
}

SourceProvider BuiltinSource() {
  SourceProvider p;
  p.read = [](const std::string& name) -> Result<std::string> {
    for (size_t i = 0; i < embedded::kTaxonomy_count; ++i) {
      if (embedded::kTaxonomy[i].name == name) return std::string(embedded::kTaxonomy[i].data);
    }
    return Status(Code::kInvalidConfig, "taxonomy", "<built-in>/" + name + ": no such file");
  };
  p.list = [](const std::string& pattern) {
    std::vector<std::string> names;
    for (size_t i = 0; i < embedded::kTaxonomy_count; ++i) {
      names.emplace_back(embedded::kTaxonomy[i].name);
    }
    return Glob(names, pattern);
  };
  return p;
}

Result<std::shared_ptr<const Taxonomy>> LoadTaxonomy(const std::string& path,
                                                     CompileOptions options) {
  if (path.empty()) return CompileTaxonomy(kManifestName, BuiltinSource(), options);
  const std::filesystem::path manifest(path);
  return CompileTaxonomy(
      manifest.filename().string(),
      DirectorySource(manifest.parent_path().empty() ? "." : manifest.parent_path().string()),
      options);
}

}  // namespace newsflow::tag
