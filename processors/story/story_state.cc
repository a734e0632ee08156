#include "processors/story/story_state.h"

#include <rapidjson/document.h>

#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <optional>

#include "schemas/json_writer.h"
#include "schemas/text.h"

namespace newsflow::story {
namespace {

using schemas::JsonWriter;
using schemas::WriteKey;
using schemas::WriteString;

void Strings(JsonWriter& w, const std::vector<std::string_view>& v) {
  w.StartArray();
  for (const auto& s : v) WriteString(w, s);
  w.EndArray();
}

void Weighted(JsonWriter& w, const std::vector<std::pair<std::string_view, double>>& v,
              const char* weight_key) {
  w.StartArray();
  for (const auto& [id, weight] : v) {
    w.StartObject();
    WriteKey(w, "id");
    WriteString(w, id);
    w.Key(weight_key);
    w.Double(weight);
    w.EndObject();
  }
  w.EndArray();
}

Status Bad(std::string message) {
  return Status(Code::kMalformed, "story", "story.v1: " + std::move(message));
}

std::string Str(const rapidjson::Value& v) {
  return std::string(v.GetString(), v.GetStringLength());
}

// "2025-05-16T00:00:00.000Z" (as FormatRfc3339 writes it; fraction optional) -> epoch ms.
std::optional<int64_t> ParseUtc(const std::string& text) {
  std::tm tm{};
  int ms = 0;
  char z = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms, &z) != 8) {
    ms = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z) != 7) {
      return std::nullopt;
    }
  }
  if (z != 'Z') return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
}

}  // namespace

void StoryStateView::Clear() {
  id = merged_into = updated_by = {};
  first_seen_ms = last_seen_ms = version = 0;
  fingerprint = 0;
  counts.clear();
  languages.clear();
  sources.clear();
  titles.clear();
  topics.clear();
  entities.clear();
  numbers.clear();
  articles.clear();
}

std::string EncodeStoryState(const StoryState& s) {
  StoryStateView v;
  v.id = s.id;
  v.merged_into = s.merged_into;
  for (const auto& [writer, c] : s.counts) v.counts.emplace_back(writer, c);
  v.first_seen_ms = s.first_seen_ms;
  v.last_seen_ms = s.last_seen_ms;
  v.version = s.version;
  v.updated_by = s.updated_by;
  v.languages.assign(s.languages.begin(), s.languages.end());
  v.sources.assign(s.sources.begin(), s.sources.end());
  for (const auto& [lang, title] : s.titles) v.titles.emplace_back(lang, title);
  for (const auto& [id, w] : s.topics) v.topics.emplace_back(id, w);
  for (const auto& [id, w] : s.entities) v.entities.emplace_back(id, w);
  v.numbers.assign(s.numbers.begin(), s.numbers.end());
  v.articles.assign(s.articles.begin(), s.articles.end());
  v.fingerprint = s.fingerprint;
  return EncodeStoryView(v);
}

std::string EncodeStoryView(const StoryStateView& s) {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  WriteKey(w, "schema");
  WriteString(w, "newsflow.story.v1");
  WriteKey(w, "id");
  WriteString(w, s.id);
  WriteKey(w, "merged_into");
  if (s.merged_into.empty()) {
    w.Null();
  } else {
    WriteString(w, s.merged_into);
  }
  int64_t article_count = 0;
  for (const auto& [writer, c] : s.counts) article_count += c;
  WriteKey(w, "article_count");
  w.Int64(article_count);
  WriteKey(w, "counts");
  w.StartObject();
  for (const auto& [writer, c] : s.counts) {
    WriteString(w, writer);
    w.Int64(c);
  }
  w.EndObject();
  WriteKey(w, "first_seen");
  WriteString(w, schemas::FormatRfc3339(s.first_seen_ms));
  WriteKey(w, "last_seen");
  WriteString(w, schemas::FormatRfc3339(s.last_seen_ms));
  WriteKey(w, "version");
  w.Int64(s.version);
  WriteKey(w, "updated_by");
  WriteString(w, s.updated_by);
  WriteKey(w, "languages");
  Strings(w, s.languages);
  WriteKey(w, "sources");
  Strings(w, s.sources);
  WriteKey(w, "titles");
  w.StartObject();
  for (const auto& [lang, title] : s.titles) {
    WriteString(w, lang);
    WriteString(w, title);
  }
  w.EndObject();
  WriteKey(w, "topics");
  Weighted(w, s.topics, "score");
  WriteKey(w, "entities");
  Weighted(w, s.entities, "weight");
  WriteKey(w, "numbers");
  Strings(w, s.numbers);
  WriteKey(w, "articles");
  Strings(w, s.articles);
  WriteKey(w, "fingerprint");
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016" PRIx64, s.fingerprint);
  WriteString(w, hex);
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

Result<StoryState> DecodeStoryState(std::string_view json) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError() || !d.IsObject()) return Bad("not a JSON object");
  auto member = [&](const char* key) -> const rapidjson::Value* {
    auto it = d.FindMember(key);
    return it == d.MemberEnd() ? nullptr : &it->value;
  };
  const auto* schema = member("schema");
  if (schema == nullptr || !schema->IsString() || Str(*schema) != "newsflow.story.v1") {
    return Bad("schema is not newsflow.story.v1");
  }
  StoryState s;
  const auto* id = member("id");
  if (id == nullptr || !id->IsString() || id->GetStringLength() == 0) return Bad("no id");
  s.id = Str(*id);
  if (const auto* m = member("merged_into"); m != nullptr && m->IsString()) s.merged_into = Str(*m);
  if (const auto* c = member("counts"); c != nullptr && c->IsObject()) {
    for (const auto& kv : c->GetObject()) {
      if (!kv.value.IsInt64() || kv.value.GetInt64() < 0) return Bad("counts: bad value");
      s.counts[Str(kv.name)] = kv.value.GetInt64();
    }
  } else {
    return Bad("no counts");
  }
  for (const auto& [key, out] :
       {std::pair{"first_seen", &s.first_seen_ms}, std::pair{"last_seen", &s.last_seen_ms}}) {
    const auto* v = member(key);
    if (v == nullptr || !v->IsString()) return Bad(std::string("no ") + key);
    auto t = ParseUtc(Str(*v));
    if (!t) return Bad(std::string(key) + ": not an RFC 3339 time");
    *out = *t;
  }
  if (const auto* v = member("version"); v != nullptr && v->IsInt64()) s.version = v->GetInt64();
  if (const auto* v = member("updated_by"); v != nullptr && v->IsString()) s.updated_by = Str(*v);
  auto strings = [&](const char* key, std::vector<std::string>* out) {
    if (const auto* v = member(key); v != nullptr && v->IsArray()) {
      for (const auto& x : v->GetArray()) {
        if (x.IsString()) out->push_back(Str(x));
      }
    }
  };
  strings("languages", &s.languages);
  strings("sources", &s.sources);
  strings("numbers", &s.numbers);
  strings("articles", &s.articles);
  if (const auto* v = member("titles"); v != nullptr && v->IsObject()) {
    for (const auto& kv : v->GetObject()) {
      if (kv.value.IsString()) s.titles[Str(kv.name)] = Str(kv.value);
    }
  }
  auto weighted = [&](const char* key, const char* weight_key,
                      std::vector<std::pair<std::string, double>>* out) {
    if (const auto* v = member(key); v != nullptr && v->IsArray()) {
      for (const auto& x : v->GetArray()) {
        if (!x.IsObject() || !x.HasMember("id") || !x["id"].IsString()) continue;
        if (!x.HasMember(weight_key) || !x[weight_key].IsNumber()) continue;
        out->emplace_back(Str(x["id"]), x[weight_key].GetDouble());
      }
    }
  };
  weighted("topics", "score", &s.topics);
  weighted("entities", "weight", &s.entities);
  if (const auto* v = member("fingerprint"); v != nullptr && v->IsString()) {
    s.fingerprint = std::strtoull(v->GetString(), nullptr, 16);
  }
  return s;
}

}  // namespace newsflow::story
