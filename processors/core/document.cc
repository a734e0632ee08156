#include "processors/core/document.h"

namespace newsflow::core {

void Document::Reset(const schemas::RawRecord& record) {
  raw = &record;
  article = schemas::RawArticle();
  normalized = false;
  title.clear();
  body.clear();
  lead.clear();
  keywords.clear();
  related.clear();
  word_count.reset();
  language.code.clear();
  language.confidence = 0.0;
  language.script.clear();
  published_at_ms.reset();
  published_raw.clear();
  token_text.clear();
  tokens.clear();
  token_hashes.clear();
  taxonomy.reset();
  hits.clear();
  topics.clear();
  entities.clear();
  taxonomy_version.clear();
  story_id.clear();
  duplicate_of.clear();
  story.event_time_ms = -1;
  story.event_time_basis.clear();
  story.article_count = 0;
  story.first_seen_ms = -1;
  story.opened = false;
  story.recent.clear();
  story.explanation.clear();
  outputs.clear();
}

std::string_view FieldName(Field field) {
  switch (field) {
    case Field::kTitle:
      return "title";
    case Field::kLead:
      return "lead";
    case Field::kBody:
      return "body";
  }
  return "body";
}

}  // namespace newsflow::core
