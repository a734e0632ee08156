// story.v1 encoding (EncodeStoryState writes the record straight into a
// string): the bytes must be exactly what RapidJSON's Writer writes for the same state, the
// way the record was written before (so news.stories, `process --stories` and their consumers
// see no change). The reference below is that Writer code.
//
// And the lead-set index of the story store (a flat table since story5): which fingerprints an
// edited copy finds, after the table has grown and entries have left it, against a reference
// kept here (the most recent max_lead_postings fingerprints of each shingle).
#include <rapidjson/internal/dtoa.h>
#include <rapidjson/internal/ieee754.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "processors/story/story_state.h"
#include "processors/story/story_store.h"
#include "schemas/text.h"

namespace newsflow::story {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Str(Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

// "12.3400" -> "12.34", "12.0000" -> "12.0": the decimals without trailing zeros but one.
std::string WithoutTrailingZeros(std::string s) {
  while (s.back() == '0' && s[s.size() - 2] != '.') s.pop_back();
  return s;
}

// A story weight's text by reference: below 2^36 the integer nearest to w * 10^4 (half away
// from zero) as a decimal with four places, trailing zeros dropped but one; from 2^36 on, NaN
// and the infinities, RapidJSON's dtoa (nothing for NaN and infinities, as Writer::Double).
std::string FourDecimals(double w) {
  if (!(std::fabs(w) < 0x1p36)) {
    if (std::isnan(w) || std::isinf(w)) return "";
    char buf[32];
    return std::string(buf, rapidjson::internal::dtoa(w, buf));
  }
  const long long n = std::llround(w * 10000.0);
  char text[40];
  std::snprintf(text, sizeof(text), "%s%lld.%04lld", n < 0 ? "-" : "", std::llabs(n) / 10000,
                std::llabs(n) % 10000);
  return WithoutTrailingZeros(text);
}

// story.v1 as RapidJSON's Writer writes it (the encoder before story5), the weights as
// FourDecimals writes them.
std::string WriterReference(const StoryState& s) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("schema");
  Str(w, "newsflow.story.v1");
  w.Key("id");
  Str(w, s.id);
  w.Key("merged_into");
  if (s.merged_into.empty()) {
    w.Null();
  } else {
    Str(w, s.merged_into);
  }
  w.Key("article_count");
  w.Int64(s.ArticleCount());
  w.Key("counts");
  w.StartObject();
  for (const auto& [writer, c] : s.counts) {
    Str(w, writer);
    w.Int64(c);
  }
  w.EndObject();
  w.Key("first_seen");
  Str(w, schemas::FormatRfc3339(s.first_seen_ms));
  w.Key("last_seen");
  Str(w, schemas::FormatRfc3339(s.last_seen_ms));
  w.Key("version");
  w.Int64(s.version);
  w.Key("updated_by");
  Str(w, s.updated_by);
  auto strings = [&](const char* key, const std::vector<std::string>& v) {
    w.Key(key);
    w.StartArray();
    for (const auto& x : v) Str(w, x);
    w.EndArray();
  };
  strings("languages", s.languages);
  strings("sources", s.sources);
  w.Key("titles");
  w.StartObject();
  for (const auto& [lang, title] : s.titles) {
    Str(w, lang);
    Str(w, title);
  }
  w.EndObject();
  auto weighted = [&](const char* key, const std::vector<std::pair<std::string, double>>& v,
                      const char* weight_key) {
    w.Key(key);
    w.StartArray();
    for (const auto& [id, weight] : v) {
      w.StartObject();
      w.Key("id");
      Str(w, id);
      w.Key(weight_key);
      const std::string text = FourDecimals(weight);
      if (text.empty()) {
        w.Double(weight);  // NaN, infinities: nothing written, as before
      } else {
        w.RawValue(text.data(), text.size(), rapidjson::kNumberType);
      }
      w.EndObject();
    }
    w.EndArray();
  };
  weighted("topics", s.topics, "score");
  weighted("entities", s.entities, "weight");
  strings("numbers", s.numbers);
  strings("articles", s.articles);
  w.Key("fingerprint");
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016" PRIx64, s.fingerprint);
  Str(w, hex);
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

// RapidJSON 1.1.0's Writer, built with RAPIDJSON_SSE2 as newsflow is, copies bytes 0x1A-0x1F
// unescaped when they fall in a 16-byte-aligned block of a string of 16 bytes or more (its
// SIMD test is "byte <= 0x19"): invalid JSON, and dependent on where the string lies in
// memory. EncodeStoryView escapes them as \u001A-\u001F everywhere (as the Writer's own escape
// table does; EscapesEveryControlByte below). So the reference comparison keeps those six
// bytes to strings shorter than 16 bytes, where the Writer writes them byte by byte.
bool WriterSimdSkips(unsigned char b) { return b >= 0x1A && b <= 0x1F; }

std::string KeepWriterExact(std::string s) {
  if (s.size() >= 16) {
    for (char& c : s) {
      if (WriterSimdSkips(static_cast<unsigned char>(c))) c = '\x19';
    }
  }
  return s;
}

StoryState KeepWriterExact(StoryState s) {
  auto fix = [](std::vector<std::string>& v) {
    for (auto& x : v) x = KeepWriterExact(x);
  };
  s.id = KeepWriterExact(s.id);
  s.merged_into = KeepWriterExact(s.merged_into);
  s.updated_by = KeepWriterExact(s.updated_by);
  std::map<std::string, int64_t> counts;
  for (const auto& [k, v] : s.counts) counts[KeepWriterExact(k)] = v;
  s.counts = counts;
  std::map<std::string, std::string> titles;
  for (const auto& [k, v] : s.titles) titles[KeepWriterExact(k)] = KeepWriterExact(v);
  s.titles = titles;
  fix(s.languages);
  fix(s.sources);
  fix(s.numbers);
  fix(s.articles);
  for (auto& [k, v] : s.topics) k = KeepWriterExact(k);
  for (auto& [k, v] : s.entities) k = KeepWriterExact(k);
  return s;
}

// Every byte that needs an escape, at every position of an 8-byte word and past it.
std::vector<std::string> Awkward() {
  std::vector<std::string> v = {"",
                                "a",
                                "plain-ascii-longer-than-16-bytes",
                                "quote\"in",
                                "back\\slash",
                                "slash/and DEL\x7f",
                                "заголовок \"1\"",
                                "عربي 中文 🙂",
                                std::string("nul\0inside", 10),
                                "\b\t\n\f\r\x01\x1f"};
  for (int b = 0; b < 0x20; ++b) {
    for (size_t pos : {0u, 3u, 7u, 8u, 15u}) {
      std::string s(WriterSimdSkips(static_cast<unsigned char>(b)) ? 15 : 17, 'x');
      if (pos < s.size()) s[pos] = static_cast<char>(b);
      v.push_back(s);
    }
  }
  return v;
}

TEST(StoryStateTest, EncodeIsWhatTheWriterWrites) {
  const std::vector<double> doubles = {0.0,
                                       -0.0,
                                       1.0,
                                       0.1,
                                       1.0 / 3.0,
                                       2.5,
                                       -7.25,
                                       1e-9,
                                       1e21,
                                       1e22,
                                       123456789.123,
                                       0.30000000000000004,
                                       std::numeric_limits<double>::max(),
                                       std::numeric_limits<double>::min(),
                                       std::numeric_limits<double>::denorm_min(),
                                       std::numeric_limits<double>::quiet_NaN(),
                                       std::numeric_limits<double>::infinity()};
  const std::vector<std::string> texts = Awkward();
  std::mt19937_64 rng(5);
  int compared = 0, with_escapes = 0;
  for (int round = 0; round < 400; ++round) {
    StoryState s;
    auto text = [&] { return texts[rng() % texts.size()]; };
    auto random_bytes = [&] {
      std::string x(rng() % 40, ' ');
      for (char& c : x) {
        c = static_cast<char>(rng() % 256);
      }
      return x;
    };
    auto any = [&] { return rng() % 3 == 0 ? random_bytes() : text(); };
    s.id = round == 0 ? "" : "st-" + any();
    if (rng() % 2) s.merged_into = any();
    const int writers = static_cast<int>(rng() % 4);
    for (int k = 0; k < writers; ++k) s.counts[any()] = static_cast<int64_t>(rng() % 100000);
    // Mostly 1970-2100; every fourth record anywhere within about +-8,900 years (years of
    // other than four digits, negative ones: written by strftime).
    s.first_seen_ms = round % 4 == 3
                          ? static_cast<int64_t>(rng() % (uint64_t{1} << 49)) - (int64_t{1} << 48)
                          : static_cast<int64_t>(rng() % 4102444800000);
    s.last_seen_ms = s.first_seen_ms + static_cast<int64_t>(rng() % 100000000);
    s.version = round == 1   ? std::numeric_limits<int64_t>::max()
                : round == 2 ? std::numeric_limits<int64_t>::min()
                             : static_cast<int64_t>(rng()) >> (rng() % 63);
    s.updated_by = any();
    for (int k = 0, n = static_cast<int>(rng() % 5); k < n; ++k) s.languages.push_back(any());
    for (int k = 0, n = static_cast<int>(rng() % 5); k < n; ++k) s.sources.push_back(any());
    for (int k = 0, n = static_cast<int>(rng() % 4); k < n; ++k) s.titles[any()] = any();
    auto weight = [&] {
      return rng() % 2
                 ? doubles[rng() % doubles.size()]
                 : std::ldexp(static_cast<double>(rng() >> 11), -static_cast<int>(rng() % 80));
    };
    for (int k = 0, n = static_cast<int>(rng() % 6); k < n; ++k)
      s.topics.emplace_back(any(), weight());
    for (int k = 0, n = static_cast<int>(rng() % 9); k < n; ++k)
      s.entities.emplace_back(any(), weight());
    for (int k = 0, n = static_cast<int>(rng() % 5); k < n; ++k) s.numbers.push_back(any());
    for (int k = 0, n = static_cast<int>(rng() % 5); k < n; ++k) s.articles.push_back(any());
    s.fingerprint = rng() % 4 == 0 ? 0 : rng();
    s = KeepWriterExact(s);
    const std::string expected = WriterReference(s);
    const std::string encoded = EncodeStoryState(s);
    size_t diff = 0;
    while (diff < encoded.size() && diff < expected.size() && encoded[diff] == expected[diff])
      ++diff;
    ASSERT_EQ(encoded, expected) << "round " << round << ", first difference at byte " << diff
                                 << ": ..." << expected.substr(diff > 20 ? diff - 20 : 0, 60)
                                 << " vs ..." << encoded.substr(diff > 20 ? diff - 20 : 0, 60);
    ++compared;
    with_escapes += expected.find('\\') != std::string::npos ? 1 : 0;
  }
  EXPECT_EQ(compared, 400);
  EXPECT_GT(with_escapes, 100) << "escapes were among the compared bytes";
  // A valid record still decodes to its state.
  StoryState plain;
  plain.id = "st-1";
  plain.counts["a"] = 2;
  plain.entities = {{"org/un", 1.5}};
  const auto decoded = DecodeStoryState(EncodeStoryState(plain));
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->entities, plain.entities);
  EXPECT_EQ(decoded->ArticleCount(), 2);
}

// PutStoryWeight writes the reference's text (FourDecimals: snprintf of the rounded integer)
// for millions of doubles: four-decimal values over the whole range as strtod reads them (the
// decimal itself), their neighbours a few ulps away, sums of saliences as the store makes them
// (the exact decimal sum), values at the ends of the range, and random bit patterns; and the
// text is within half a unit of the fourth decimal of w (it parses back to w's rounding).
TEST(StoryStateTest, WeightsAreWrittenAsTheirFourDecimalValue) {
  std::mt19937_64 rng(2026);
  int64_t checked = 0;
  auto check = [&](double w) {
    char buf[kMaxStoryWeightBytes];
    const std::string text(buf, PutStoryWeight(buf, w));
    ++checked;
    ASSERT_EQ(text, FourDecimals(w)) << std::hexfloat << w;
    if (std::fabs(w) < 0x1p36) {
      ASSERT_LE(std::fabs(std::strtod(text.c_str(), nullptr) - w), 0.00005 + std::fabs(w) * 1e-15)
          << std::hexfloat << w << " " << text;
    }
  };
  auto with_neighbours = [&](double w) {
    check(w);
    double up = w, down = w;
    for (int k = 0; k < 3; ++k) {
      up = std::nextafter(up, INFINITY);
      down = std::nextafter(down, -INFINITY);
      check(up);
      check(down);
    }
  };
  for (int i = 0; i < 1500000; ++i) {
    const int digits = 1 + static_cast<int>(rng() % 14);
    uint64_t n = rng() % 100000000000000ull;
    for (int k = digits; k < 14; ++k) n /= 10;
    char text[40];
    std::snprintf(text, sizeof(text), "%s%" PRIu64 ".%04" PRIu64, i % 5 == 0 ? "-" : "", n / 10000,
                  n % 10000);
    const double w = std::strtod(text, nullptr);
    // The decimal itself, trailing zeros dropped (one kept after the point).
    const std::string expected = n == 0 ? "0.0" : WithoutTrailingZeros(text);
    char buf[kMaxStoryWeightBytes];
    ASSERT_EQ(std::string(buf, PutStoryWeight(buf, w)), expected) << text;
    if (i % 8 == 0) with_neighbours(w);
  }
  for (double w :
       {0.0, -0.0, 0.00005, -0.00005, 0.00004999, 0.5, 1.0, 0.1, 0.9999, 9.9999, 99999.9999, 0x1p36,
        -0x1p36, 0x1p36 - 0x1p-16, 1e300, std::numeric_limits<double>::max(),
        std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::infinity()}) {
    with_neighbours(w);
  }
  // Sums of saliences as the store makes them: the exact sum, whatever the double sum's error.
  for (int i = 0; i < 200000; ++i) {
    double w = 0;
    int64_t units = 0;
    for (int k = 0, n = 1 + static_cast<int>(rng() % 40); k < n; ++k) {
      const int64_t x = static_cast<int64_t>(rng() % 10001);
      w += static_cast<double>(x) / 10000.0;
      units += x;
      char text[40];
      std::snprintf(text, sizeof(text), "%" PRId64 ".%04" PRId64, units / 10000, units % 10000);
      char buf[kMaxStoryWeightBytes];
      ASSERT_EQ(std::string(buf, PutStoryWeight(buf, w)), WithoutTrailingZeros(text))
          << std::hexfloat << w;
    }
  }
  // Random doubles in and around the range, and anywhere.
  for (int i = 0; i < 500000; ++i) {
    check(std::ldexp(static_cast<double>(rng() >> 11), -static_cast<int>(rng() % 90)));
    uint64_t bits = rng();
    double w;
    std::memcpy(&w, &bits, sizeof(w));
    check(w);
  }
  EXPECT_GT(checked, 2000000);
}

// Story weights are written rounded to four decimals: the sums of four-decimal saliences and
// scores as their decimal sums, without the double sums' error digits.
TEST(StoryStateTest, WeightsAreWrittenRoundedToFourDecimals) {
  auto put = [](double w) {
    char buf[kMaxStoryWeightBytes];
    return std::string(buf, PutStoryWeight(buf, w));
  };
  EXPECT_EQ(put(0.1 + 0.2), "0.3");
  EXPECT_EQ(put(1.8435000000000002), "1.8435");
  EXPECT_EQ(put(1.9754999999999999), "1.9755");
  EXPECT_EQ(put(0.30004999), "0.3");
  EXPECT_EQ(put(0.30005001), "0.3001");
  EXPECT_EQ(put(0.0), "0.0");
  EXPECT_EQ(put(0.00004), "0.0");
  EXPECT_EQ(put(12345.6789), "12345.6789");
  EXPECT_EQ(put(0x1p40 + 0.25), "1099511627776.25");  // past 2^36: as it is
  EXPECT_EQ(put(std::numeric_limits<double>::max()), "1.7976931348623157e308");
  EXPECT_EQ(put(std::numeric_limits<double>::quiet_NaN()), "");
  // A story's weight summed article by article, and the same state decoded and written again
  // (a restore): the decimal sum both times.
  double w = 0;
  for (int k = 0; k < 17; ++k) w += 0.2493;
  EXPECT_NE(w, 4.2381);         // the double sum carries rounding error ...
  EXPECT_EQ(put(w), "4.2381");  // ... the record does not
  StoryState s;
  s.id = "st-1";
  s.counts["a"] = 17;
  s.entities = {{"country/egypt", w}};
  s.topics = {{"ceasefire_talks", 0.1 + 0.2}};
  const std::string record = EncodeStoryState(s);
  EXPECT_NE(record.find(R"({"id":"country/egypt","weight":4.2381})"), std::string::npos) << record;
  EXPECT_NE(record.find(R"({"id":"ceasefire_talks","score":0.3})"), std::string::npos) << record;
  const auto decoded = DecodeStoryState(record);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(EncodeStoryState(*decoded), record);
}

TEST(StoryStateTest, EscapesEveryControlByte) {
  StoryState s;
  s.id = "st-1";
  s.counts["a"] = 1;
  // Long titles with every control byte at several offsets (where the Writer's SIMD scan would
  // have copied 0x1A-0x1F as they are).
  for (int b = 0; b < 0x20; ++b) {
    std::string title(48, 't');
    for (size_t pos : {5u, 16u, 17u, 31u, 47u}) title[pos] = static_cast<char>(b);
    s.titles["l" + std::to_string(b)] = title;
  }
  const std::string json = EncodeStoryState(s);
  for (unsigned char c : json) EXPECT_GE(c, 0x20) << "a raw control byte in the record";
  EXPECT_NE(json.find("\\u001A"), std::string::npos);
  EXPECT_NE(json.find("\\u001F"), std::string::npos);
  EXPECT_NE(json.find("\\u0000"), std::string::npos);
  EXPECT_NE(json.find("\\n"), std::string::npos);
  const auto decoded = DecodeStoryState(json);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->titles, s.titles);
}

// NeedsNoJsonEscape says which names the store writes between quotes without the escape scan
// (StoryStore::RecordLocked; StoryStoreTest.RandomRecordsAreTheEncodedState compares its records
// with EncodeStoryState's, escapes included).
TEST(StoryStateTest, NeedsNoJsonEscapeSaysWhichNamesHaveNothingToEscape) {
  EXPECT_TRUE(NeedsNoJsonEscape("country/yemen"));
  EXPECT_TRUE(NeedsNoJsonEscape("org/опек"));  // UTF-8 is written as it is
  EXPECT_TRUE(NeedsNoJsonEscape("city/a'b\x7f"));
  EXPECT_TRUE(NeedsNoJsonEscape(""));
  EXPECT_FALSE(NeedsNoJsonEscape("org/\"quoted\""));
  EXPECT_FALSE(NeedsNoJsonEscape("a\\b"));
  EXPECT_FALSE(NeedsNoJsonEscape("tab\there"));
  EXPECT_FALSE(NeedsNoJsonEscape(std::string_view("nul\0", 4)));
  EXPECT_FALSE(NeedsNoJsonEscape("x\x1f"));
}

// The lead-set index's answers against a reference over many fingerprints: the table grows
// several times from its first size, fingerprints leave it (FIFO, max_fingerprints), a shingle
// shared by every article goes past max_lead_postings, and an edited copy of an article is a
// near-duplicate exactly when the reference says so.
TEST(StoryStoreLeadTableTest, EditedCopiesAreFoundAsTheReferenceSays) {
  StoryStoreConfig config;
  config.instance_id = "test";
  config.max_fingerprints = 4000;
  StoryStore store(config);
  std::mt19937_64 rng(11);
  constexpr int kOriginals = 7000;
  constexpr int64_t kT0 = 1700000000000;
  // `common`: 10 sampled (even) shingles in every article; each original has 50 more of its own,
  // half of them odd (not sampled: only the exact Jaccard sees them).
  std::vector<uint32_t> common;
  for (uint32_t i = 0; i < 10; ++i) common.push_back(2 * (i + 1));
  std::vector<std::vector<uint32_t>> own(kOriginals);
  std::set<uint32_t> used(common.begin(), common.end());
  auto fresh = [&](bool even) {
    for (;;) {
      uint32_t h = static_cast<uint32_t>(rng());
      h = even ? (h & ~1u) : (h | 1u);
      if (used.insert(h).second) return h;
    }
  };
  auto signature = [&](const std::string& id, std::vector<uint32_t> lead) {
    ArticleSignature s;
    s.article_id = id;
    s.source = "outlet";
    s.language = "en";
    s.event_time_ms = kT0;
    s.time_basis = "published";
    s.entities = {{"bench/" + id, 1.0}};
    s.has_fingerprint = true;
    s.text_hash = rng();
    s.simhash = rng();
    std::sort(lead.begin(), lead.end());
    s.lead_shingles = std::move(lead);
    return s;
  };
  // The reference: every fingerprint's id in FIFO order; holders of `common` in order.
  std::vector<std::string> fifo;
  std::set<int> probed;  // each original is copied once (a copy is indexed too)
  int found[2] = {0, 0}, not_found[2] = {0, 0};
  for (int i = 0; i < kOriginals; ++i) {
    for (int k = 0; k < 50; ++k) own[i].push_back(fresh(k % 2 == 0));
    std::vector<uint32_t> lead = common;
    lead.insert(lead.end(), own[i].begin(), own[i].end());
    // 10 shared of 110 with any other original: 0.09 < lead_jaccard.
    const Assignment a = store.Assign(signature("o" + std::to_string(i), lead));
    ASSERT_TRUE(a.duplicate_of.empty()) << i;
    fifo.push_back("o" + std::to_string(i));
    // Every 7th original after the first 5000: probe an edited copy of an earlier one, either
    // through its own sampled shingles (found while it is in the FIFO) or through `common`
    // only (found while it is also among the 64 most recent holders of `common`).
    if (i < 5000 || i % 7 != 0) continue;
    for (int variant = 0; variant < 2; ++variant) {
      // Through its own shingles: any of the last 4,500 originals (the FIFO keeps ~3,700 of
      // them); through `common`: one of the last 120 (about half are among the 64 most recent).
      int target = 0;
      do {
        target = i - 1 - static_cast<int>(rng() % (variant == 0 ? 4500 : 120));
      } while (!probed.insert(target).second);
      std::vector<uint32_t> copy = common;
      for (size_t k = 0; k < own[target].size(); ++k) {
        const bool sampled = own[target][k] % 2 == 0;
        if (variant == 0 ? k < 40 : !sampled) copy.push_back(own[target][k]);
      }
      for (int k = 0; k < 5; ++k) copy.push_back(fresh(false));
      const std::string target_id = "o" + std::to_string(target);
      const size_t live_from = fifo.size() > 4000 ? fifo.size() - 4000 : 0;
      const size_t recent_from = fifo.size() > 64 ? fifo.size() - 64 : 0;
      size_t pos = 0;
      while (fifo[pos] != target_id) ++pos;
      const bool expected = variant == 0 ? pos >= live_from : pos >= recent_from;
      const std::string probe_id = "p" + std::to_string(i) + "-" + std::to_string(variant);
      const Assignment probe = store.Assign(signature(probe_id, copy));
      EXPECT_EQ(probe.duplicate_of, expected ? target_id : "")
          << probe_id << " of " << target_id << " (FIFO position " << pos << " of " << fifo.size()
          << ")";
      (expected ? found : not_found)[variant] += 1;
      fifo.push_back(probe_id);
    }
  }
  // The FIFO is trimmed to max_fingerprints before an article's lookup, then it is added.
  EXPECT_EQ(store.Stats().fingerprints, 4001);
  // Both answers were asked for, through both paths.
  for (int variant = 0; variant < 2; ++variant) {
    EXPECT_GT(found[variant], 30) << variant;
    EXPECT_GT(not_found[variant], 30) << variant;
  }
}

}  // namespace
}  // namespace newsflow::story
