// The values that flow through the pipeline: RawRecord in, Document while processing, Outcome
// out.
//
// A RawRecord is what a source delivers (Kafka message or a line/file in offline mode): the
// original bytes are never modified, so a dead letter can carry them unchanged. A Document is
// the per-record working state that stages fill in order: decode sets `article`, normalize sets
// the clean text, language, dates and tokens, tag/score set topics and entities, encode
// renders `outputs`. Fields a stage has not filled stay empty; encoders write them as null or
// [] rather than inventing values.
//
// Ownership: a Document borrows its RawRecord (`raw` outlives the Document; the pipeline
// guarantees it for the duration of Pipeline::Process). Not thread-safe; one thread owns a
// Document at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/raw_article.h"
#include "schemas/record.h"

namespace newsflow::core {

// Which part of the article a token or match lies in. The lead is the first paragraph of the
// body; offsets of lead and body tokens are both into the body text.
enum class Field : uint8_t { kTitle, kLead, kBody };
std::string_view FieldName(Field field);

// One word of the token stream (built by the normalize stage). The strings live in
// Document::token_text; a token holds offsets into it so that tokenizing allocates per
// article, not per token.
struct Token {
  static constexpr uint8_t kNoScript = 0xFF;
  Field field = Field::kBody;
  uint8_t script = kNoScript;  // ICU UScriptCode of the first letter (kNoScript: none, digits)
  uint32_t begin = 0;          // byte offsets of the surface form in the field's original text
  uint32_t end = 0;
  uint32_t folded_offset = 0;  // folded matching form in token_text
  uint32_t folded_size = 0;
  uint32_t stem_offset = 0;  // Snowball stem of the folded form (size 0 if no stemmer)
  uint32_t stem_size = 0;
  uint32_t bare_offset = 0;  // folded form without Arabic clitics (size 0 if none stripped)
  uint32_t bare_size = 0;
};

// core::FormHash (form_hash.h) of a token's folded form and of its stem, as the normalize
// stage computed them: the folded form's for every token (since 2026-12-06; before, only for the
// tokens its stemmer saw), the stem's for every stemmed token. 0 = not computed (an empty form,
// no stem): a reader hashes the form itself. Valid only while Document::token_hashes has the size
// of Document::tokens and the token forms are unchanged.
struct FormHashes {
  uint64_t folded = 0;
  uint64_t stem = 0;
};

struct Language {
  std::string code;  // ISO 639-1, empty if unknown
  double confidence = 0.0;
  std::string script;  // ISO 15924 (e.g. "Arab"), empty if unknown
};

struct Match {
  std::string text;  // the matched text as it appears in the original
  Field field = Field::kBody;
  uint32_t begin = 0;
  uint32_t end = 0;
  std::string rule;  // which term/rule produced it (for explanations)
};

struct TopicResult {
  std::string id;
  std::string label;
  double score = 0.0;
  std::vector<Match> matches;
};

// The entity type of unlinked name mentions (processors/tag/names.h): proper names no taxonomy
// entity covers. Stages that want taxonomy entities only (the story signature) skip it.
inline constexpr std::string_view kNameEntityType = "name";

struct EntityResult {
  static constexpr uint32_t kNoTaxonomyIndex = UINT32_MAX;
  std::string id;
  std::string name;
  std::string type;
  double salience = 0.0;
  std::vector<Match> mentions;
  // The entity's index in the taxonomy snapshot the tag stage pinned for this record
  // (Document::taxonomy): a key for state kept per entity across articles without hashing the
  // id (the story store's interned ids). kNoTaxonomyIndex for unlinked names and hand-made
  // results.
  uint32_t taxonomy_index = kNoTaxonomyIndex;
};

// A span of tokens [token_begin, token_end) where a taxonomy pattern matched; `owner` is an id
// defined by the taxonomy snapshot that produced it (tag stage -> score stage).
struct PatternHit {
  uint32_t pattern = 0;
  uint32_t token_begin = 0;
  uint32_t token_end = 0;
};

// An immutable, versioned snapshot of shared read-only state (the compiled taxonomy). The tag
// stage pins one per record so that every later stage of that record sees the same version,
// even when a reload swaps in a new snapshot meanwhile.
class Snapshot {
 public:
  virtual ~Snapshot() = default;
  virtual const std::string& version() const = 0;
};

// One article of a story, as the alert stage's story conditions read it. The names are views:
// the story store gives out views of its own stable copies (valid while the store lives; it
// never removes a name), so that the story's ~32 latest articles are handed over without
// copying two strings each per article. Whoever fills them otherwise keeps the text alive
// while the document is processed.
struct StoryArticle {
  int64_t time_ms = 0;
  std::string_view source;
  std::string_view language;
};

// The story stage's view of the article's story after the article joined it (processors/story).
struct StoryInfo {
  int64_t event_time_ms = -1;        // the article's event time (see processors/story/README.md)
  std::string event_time_basis;      // "published", "kafka" or "clock"
  int64_t article_count = 0;         // articles in the story, this one included
  int64_t first_seen_ms = -1;        // event time of the story's earliest article
  bool opened = false;               // this article opened the story
  std::vector<StoryArticle> recent;  // the story's latest articles, oldest first (bounded)
  std::string explanation;           // why the article joined or opened the story
};

struct Document {
  explicit Document(const schemas::RawRecord& record) : raw(&record) {}

  const schemas::RawRecord* raw;
  schemas::RawArticle article;

  // Normalize stage output. Display text is NFC, cleaned; empty until normalize runs, in which
  // case encoders fall back to the article's own title/body.
  bool normalized = false;
  std::string title;
  std::string body;
  std::string lead;
  std::vector<std::string> keywords;
  std::vector<std::string> related;  // titles of appended "read also" articles
  std::optional<int64_t> word_count;
  Language language;
  std::optional<int64_t> published_at_ms;  // UTC epoch milliseconds
  std::string published_raw;               // the string the date was taken from, if any
  std::string token_text;                  // arena for token forms
  std::vector<Token> tokens;
  // The hashes of each token's folded form and stem, parallel to `tokens`, as normalize computed
  // them (the stem memo's): handed to the tag stage's matcher, the story signature and the alert
  // term scan so that a form is hashed once per article. Empty when normalize was configured not
  // to stem; see FormHashes for the rest of the contract.
  std::vector<FormHashes> token_hashes;

  // Tag and score stage output.
  std::shared_ptr<const Snapshot> taxonomy;  // pinned by the tag stage for this record
  std::vector<PatternHit> hits;              // every pattern match, in token order
  std::vector<TopicResult> topics;
  std::vector<EntityResult> entities;
  std::string taxonomy_version;  // empty until a taxonomy is applied

  // Story stage output.
  std::string story_id;
  std::string duplicate_of;
  StoryInfo story;

  // Encode stage output.
  std::vector<schemas::Output> outputs;

  // Back to the state Document(record) starts in, keeping the capacity of its strings and
  // vectors (Pipeline::Process reuses one Document per thread). Every field is listed here: a
  // new field must be too (tests/unit/core/pipeline_test.cc compares with a new Document).
  void Reset(const schemas::RawRecord& record);

  std::string_view TokenForm(uint32_t offset, uint32_t size) const {
    return std::string_view(token_text).substr(offset, size);
  }
};

}  // namespace newsflow::core
