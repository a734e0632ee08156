#include "processors/story/story_state.h"

#include <rapidjson/document.h>
#include <rapidjson/internal/dtoa.h>
#include <rapidjson/internal/ieee754.h>
#include <rapidjson/internal/itoa.h>

#include <algorithm>
#include <cassert>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>

#include "processors/story/story_json.h"
#include "schemas/json_writer.h"
#include "schemas/text.h"

namespace newsflow::story {
namespace {

// A story's state as borrowed views (EncodeStoryState builds one from a StoryState and writes
// it). The store writes its records itself, the same bytes (StoryStore::RecordLocked;
// StoryStoreTest.RandomRecordsAreTheEncodedState compares them with EncodeStoryState's). Every
// list is in StoryState's order: counts by writer, languages, sources, numbers and titles by
// their text, topics and entities by id.
struct StoryStateView {
  std::string_view id;
  std::string_view merged_into;
  std::vector<std::pair<std::string_view, int64_t>> counts;
  int64_t first_seen_ms = 0;
  int64_t last_seen_ms = 0;
  int64_t version = 0;
  std::string_view updated_by;
  std::vector<std::string_view> languages;
  std::vector<std::string_view> sources;
  std::vector<std::pair<std::string_view, std::string_view>> titles;
  std::vector<std::pair<std::string_view, double>> topics;
  std::vector<std::pair<std::string_view, double>> entities;
  std::vector<std::string_view> numbers;
  std::vector<std::string_view> articles;
  uint64_t fingerprint = 0;
};

// story.v1 is written straight into a string, byte for byte what RapidJSON's Writer (default
// flags) wrote for it before: the Writer's per-value bookkeeping (the nesting stack, commas
// and colons decided at run time, a byte-at-a-time copy of every string) was most of the
// record's cost, which is paid for every article (each changes its story). The values are
// written by the functions the Writer itself calls (internal::i64toa, internal::dtoa) and
// strings with the Writer's escapes; StoryStateTest.EncodeIsWhatTheWriterWrites compares the
// bytes with the Writer's own.
// {"id":…,"weight":<25 at most>}, and a comma, besides the id's own bytes.
constexpr size_t kWeightedItemBytes = 64;

using schemas::PutJsonString;  // `s` as a JSON string; room for 6 bytes a byte and the quotes

char* PutStrings(char* p, const std::vector<std::string_view>& v) {
  *p++ = '[';
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) *p++ = ',';
    p = PutJsonString(p, v[i]);
  }
  *p++ = ']';
  return p;
}

// What Writer::Double writes: internal::dtoa with the default 324 decimal places, and nothing
// at all for NaN or an infinity (the Writer refuses them without kWriteNanAndInfFlag, after
// its comma or colon).
char* PutDouble(char* p, double d) {
  if (rapidjson::internal::Double(d).IsNanOrInf()) return p;
  return rapidjson::internal::dtoa(d, p, 324);
}

template <size_t N>
char* PutWeighted(char* p, const std::vector<std::pair<std::string_view, double>>& v,
                  const char (&weight_key)[N]) {
  *p++ = '[';
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) *p++ = ',';
    p = PutLiteral(p, R"({"id":)");
    p = PutJsonString(p, v[i].first);
    p = PutLiteral(p, weight_key);
    p = PutStoryWeight(p, v[i].second);
    *p++ = '}';
  }
  *p++ = ']';
  return p;
}

// An upper bound of what PutLists and PutArticles write (6 bytes a string's byte, the longest
// escape, and its quotes and separators).
size_t ListsBound(const StoryStateView& s) {
  size_t bound = 64;  // the keys and brackets
  for (const auto& x : s.languages) bound += 6 * x.size() + 8;
  for (const auto& x : s.sources) bound += 6 * x.size() + 8;
  for (const auto& [lang, title] : s.titles) bound += 6 * (lang.size() + title.size()) + 16;
  return bound;
}

size_t ArticlesBound(const StoryStateView& s) {
  size_t bound = 8;
  for (const auto& x : s.articles) bound += 6 * x.size() + 8;
  return bound;
}

// `,"languages":[…],"sources":[…],"titles":{…}`
char* PutLists(char* p, const StoryStateView& s) {
  p = PutLiteral(p, R"(,"languages":)");
  p = PutStrings(p, s.languages);
  p = PutLiteral(p, R"(,"sources":)");
  p = PutStrings(p, s.sources);
  p = PutLiteral(p, R"(,"titles":{)");
  bool first = true;
  for (const auto& [lang, title] : s.titles) {
    if (!first) *p++ = ',';
    first = false;
    p = PutJsonString(p, lang);
    *p++ = ':';
    p = PutJsonString(p, title);
  }
  *p++ = '}';
  return p;
}

char* PutArticles(char* p, const StoryStateView& s) { return PutStrings(p, s.articles); }

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

char* PutStoryWeight(char* p, double w) {
  // Past 2^36 a weight has no four decimals left to round to (and w * 10^4 would lose integer
  // precision further on): the double's own digits.
  if (!(std::fabs(w) < 0x1p36)) return PutDouble(p, w);  // also NaN and the infinities
  // |w| * 10^4 rounded half away from zero (std::llround's rounding, without its call): the
  // product is below 2^50, so its integer part and the rest are exact (a signed conversion: one
  // instruction, where an unsigned one is a branch and two).
  const double x = std::fabs(w) * 10000.0;
  auto u = static_cast<uint64_t>(static_cast<int64_t>(x));
  if (x - static_cast<double>(static_cast<int64_t>(u)) >= 0.5) ++u;
  if (w < 0 && u != 0) *p++ = '-';
  // The integer part (mostly one or two digits: no u64toa call for those) and the decimals as
  // two digit pairs from u64toa's own table, cut after the last non-zero one (~120
  // instructions a weight before, half of them for the four digits by division).
  const char* const pairs = rapidjson::internal::GetDigitsLut();  // "00", "01", … "99"
  const uint64_t whole = u / 10000;
  if (whole < 10) {
    *p++ = static_cast<char>('0' + whole);
  } else if (whole < 100) {
    std::memcpy(p, pairs + 2 * whole, 2);
    p += 2;
  } else {
    p = rapidjson::internal::u64toa(whole, p);
  }
  *p++ = '.';
  const auto frac = static_cast<uint32_t>(u - whole * 10000);
  if (frac == 0) {
    *p++ = '0';
    return p;
  }
  const uint32_t hi = frac / 100, lo = frac - hi * 100;
  std::memcpy(p, pairs + 2 * hi, 2);  // room: kMaxStoryWeightBytes
  std::memcpy(p + 2, pairs + 2 * lo, 2);
  if (lo == 0) return p + (hi % 10 == 0 ? 1 : 2);
  return p + (lo % 10 == 0 ? 3 : 4);
}

bool NeedsNoJsonEscape(std::string_view s) {
  // PutJsonString's escapes: the bytes below 0x20, '"' and '\\'.
  return std::none_of(s.begin(), s.end(), [](char c) {
    const auto b = static_cast<unsigned char>(c);
    return b < 0x20 || b == '"' || b == '\\';
  });
}

namespace {

std::string EncodeStoryView(const StoryStateView& s) {
  // An upper bound of the record's size: every string at 6 bytes a byte (the longest escape,
  // \u00XX) plus its quotes and separators, every number at its longest, the fixed text.
  const std::string first_seen = schemas::FormatRfc3339(s.first_seen_ms);
  const std::string last_seen = schemas::FormatRfc3339(s.last_seen_ms);
  size_t bound = 512;  // keys, punctuation, the fingerprint (about 300 bytes)
  auto text = [&](std::string_view x) { bound += 6 * x.size() + 8; };
  text(first_seen);
  text(last_seen);
  text(s.id);
  text(s.merged_into);
  text(s.updated_by);
  for (const auto& [writer, c] : s.counts) bound += 6 * writer.size() + 8 + kMaxInt64Bytes;
  bound += ListsBound(s);
  for (const auto& [id, w] : s.topics) bound += 6 * id.size() + kWeightedItemBytes;
  for (const auto& [id, w] : s.entities) bound += 6 * id.size() + kWeightedItemBytes;
  for (const auto& x : s.numbers) text(x);
  bound += ArticlesBound(s);
  bound += 3 * kMaxInt64Bytes;  // article_count, version and slack

  // Written into a per-thread scratch buffer, then copied once at its real size: a string
  // resized to the bound would zero-fill it first (the bound is several times the record, and
  // the fill was a quarter of the record's cost).
  thread_local std::unique_ptr<char[]> scratch;
  thread_local size_t scratch_size = 0;
  if (scratch_size < bound) {
    scratch_size = std::max(bound, 2 * scratch_size);
    scratch = std::make_unique_for_overwrite<char[]>(scratch_size);
  }
  char* const start = scratch.get();
  char* p = start;
  p = PutLiteral(p, R"({"schema":"newsflow.story.v1","id":)");
  p = PutJsonString(p, s.id);
  p = PutLiteral(p, R"(,"merged_into":)");
  p = s.merged_into.empty() ? PutLiteral(p, "null") : PutJsonString(p, s.merged_into);
  int64_t article_count = 0;
  for (const auto& [writer, c] : s.counts) article_count += c;
  p = PutLiteral(p, R"(,"article_count":)");
  p = rapidjson::internal::i64toa(article_count, p);
  p = PutLiteral(p, R"(,"counts":{)");
  bool first = true;
  for (const auto& [writer, c] : s.counts) {
    if (!first) *p++ = ',';
    first = false;
    p = PutJsonString(p, writer);
    *p++ = ':';
    p = rapidjson::internal::i64toa(c, p);
  }
  // The times are digits and "-:.TZ" (FormatRfc3339's format, strftime's for other years):
  // nothing to escape, so no escape scan.
  p = PutLiteral(p, R"(},"first_seen":)");
  p = PutName(p, first_seen, /*plain=*/true);
  p = PutLiteral(p, R"(,"last_seen":)");
  p = PutName(p, last_seen, /*plain=*/true);
  p = PutLiteral(p, R"(,"version":)");
  p = rapidjson::internal::i64toa(s.version, p);
  p = PutLiteral(p, R"(,"updated_by":)");
  p = PutJsonString(p, s.updated_by);
  p = PutLists(p, s);
  p = PutLiteral(p, R"(,"topics":)");
  p = PutWeighted(p, s.topics, R"(,"score":)");
  p = PutLiteral(p, R"(,"entities":)");
  p = PutWeighted(p, s.entities, R"(,"weight":)");
  p = PutLiteral(p, R"(,"numbers":)");
  p = PutStrings(p, s.numbers);
  p = PutLiteral(p, R"(,"articles":)");
  p = PutArticles(p, s);
  p = PutLiteral(p, R"(,"fingerprint":")");
  p = PutHex16(p, s.fingerprint);
  p = PutLiteral(p, "\"}");
  const auto size = static_cast<size_t>(p - start);
  assert(size <= bound);  // the bound above is what was reserved
  return std::string(start, size);
}

}  // namespace

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
