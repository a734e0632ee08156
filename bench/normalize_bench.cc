// Throughput of the normalize stage and of its parts on the dev corpus.
//
//   cmake --preset release && cmake --build build/release --target normalize_bench
//   build/release/bench/normalize_bench [--benchmark_repetitions=5]
//
// The corpus is $NEWSFLOW_DEV_CORPUS, else ../shared/corpus/dev/articles.jsonl next to the
// repository; without it every benchmark is skipped with a message. Bytes are article bytes in
// (title + body), so MB/s compares with the input rate of a topic. See bench/README.md.
#include <benchmark/benchmark.h>
#include <rapidjson/document.h>

#include <malloc.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "processors/normalize/boilerplate.h"
#include "processors/normalize/clean.h"
#include "processors/normalize/folding.h"
#include "processors/normalize/languages.h"
#include "processors/normalize/normalize_stage.h"
#include "processors/normalize/tokenize.h"

namespace newsflow::normalize {
namespace {

struct Article {
  std::string title;
  std::string body;
  std::string published;
  std::string lang;  // the corpus label; the feed's language only in BM_NormalizeStageWithout/2
};

struct Corpus {
  std::vector<Article> articles;
  int64_t bytes = 0;
  std::string error;
};

const Corpus& LoadCorpus() {
  static const Corpus corpus = [] {
    Corpus c;
    std::string path;
    if (const char* env = std::getenv("NEWSFLOW_DEV_CORPUS"); env != nullptr && *env != '\0') {
      path = env;
    } else {
      path = std::string(NEWSFLOW_SOURCE_DIR) + "/../shared/corpus/dev/articles.jsonl";
    }
    std::ifstream in(path);
    if (!in) {
      c.error = "dev corpus not found at " + path + " (set NEWSFLOW_DEV_CORPUS)";
      return c;
    }
    std::string line;
    while (std::getline(in, line)) {
      rapidjson::Document d;
      d.Parse(line.data(), line.size());
      if (d.HasParseError() || !d.IsObject()) continue;
      auto get = [&](const char* key) {
        auto it = d.FindMember(key);
        return it != d.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString())
                                                           : std::string();
      };
      Article a{get("title"), get("body"), get("published"), get("lang")};
      c.bytes += static_cast<int64_t>(a.title.size() + a.body.size());
      c.articles.push_back(std::move(a));
    }
    if (c.articles.empty()) c.error = "dev corpus at " + path + " has no articles";
    return c;
  }();
  return corpus;
}

// Sets bytes/s (printed in binary units: M/s = MiB/s), MB/s (10^6 bytes; the unit) and
// articles/s for `iterations` passes over the corpus.
void Report(benchmark::State& state, const Corpus& c) {
  state.SetBytesProcessed(state.iterations() * c.bytes);
  state.counters["MB/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * static_cast<double>(c.bytes) / 1e6,
      benchmark::Counter::kIsRate);
  state.counters["articles/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * static_cast<double>(c.articles.size()),
      benchmark::Counter::kIsRate);
}

#define NEWSFLOW_CORPUS_OR_SKIP(c)        \
  const Corpus& c = LoadCorpus();         \
  if (!c.error.empty()) {                 \
    state.SkipWithError(c.error.c_str()); \
    return;                               \
  }

// The whole stage, as the pipeline runs it: one Document per thread, Reset() for each article
// (its strings and vectors keep their capacity). With `cold_stems` the stem memos are emptied
// before each pass over the corpus; with `feed_language` the corpus label is the article's
// `language` field.
void RunStage(benchmark::State& state, const Corpus& c, const YAML::Node& config, bool cold_stems,
              bool feed_language = false) {
  auto stage = NormalizeStage::Create(config, "pipeline.normalize");
  if (!stage.ok()) {
    state.SkipWithError(stage.status().ToString().c_str());
    return;
  }
  const schemas::RawRecord record;
  const core::StageContext ctx;
  core::Document doc(record);
  for (auto _ : state) {
    if (cold_stems) ClearStemMemos();
    for (const Article& a : c.articles) {
      doc.Reset(record);
      doc.article.title = a.title;
      doc.article.body = a.body;
      doc.article.published = a.published;
      if (feed_language) doc.article.language = a.lang;
      benchmark::DoNotOptimize((*stage)->Process(doc, ctx));
      benchmark::DoNotOptimize(doc.tokens.data());
    }
  }
  Report(state, c);
}

// The argument is language_sample_bytes (bytes given to CLD2; 0 = whole text).
void BM_NormalizeStage(benchmark::State& state) {
  NEWSFLOW_CORPUS_OR_SKIP(c);
  YAML::Node config;
  config["language_sample_bytes"] = state.range(0);
  RunStage(state, c, config, /*cold_stems=*/false);
}
BENCHMARK(BM_NormalizeStage)
    ->Unit(benchmark::kMillisecond)
    ->ArgName("sample")
    ->Arg(0)
    ->Arg(256)
    ->Arg(512)
    ->Arg(1024);

// The default config with the stem memos emptied before each pass over the corpus, so that
// every distinct word of a pass is a Snowball call once: a stream whose vocabulary is as varied
// as these 114 articles, where BM_NormalizeStage's repeated corpus finds nearly every word in
// the memo.
void BM_NormalizeStageColdStems(benchmark::State& state) {
  NEWSFLOW_CORPUS_OR_SKIP(c);
  RunStage(state, c, YAML::Node(), /*cold_stems=*/true);
}
BENCHMARK(BM_NormalizeStageColdStems)->Unit(benchmark::kMillisecond);

// The stage without its costliest steps, so that their share of the time shows as a difference
// (a profile's sample counts miss what one step costs the others in cache): arg 1 = no stems
// (stem: false), arg 2 = no stems and no CLD2 (trust_feed_language, with the corpus label as the
// feed's language).
void BM_NormalizeStageWithout(benchmark::State& state) {
  NEWSFLOW_CORPUS_OR_SKIP(c);
  YAML::Node config;
  config["stem"] = false;
  config["trust_feed_language"] = state.range(0) == 2;
  RunStage(state, c, config, /*cold_stems=*/false, /*feed_language=*/state.range(0) == 2);
}
BENCHMARK(BM_NormalizeStageWithout)
    ->Unit(benchmark::kMillisecond)
    ->ArgName("steps")
    ->Arg(1)
    ->Arg(2);

// StemTokens() alone on the stage's tokens of each article (tokenized once, before timing), with
// a warm memo; each run first cuts the article's arena back to its folded forms.
void BM_StemTokens(benchmark::State& state) {
  NEWSFLOW_CORPUS_OR_SKIP(c);
  YAML::Node config;
  config["stem"] = false;
  auto stage = NormalizeStage::Create(config, "pipeline.normalize");
  const schemas::RawRecord record;
  struct Tokens {
    std::string arena;
    size_t folded_bytes;
    std::vector<core::Token> tokens;
    int stemmer;
  };
  std::vector<Tokens> docs;
  size_t count = 0;
  for (const Article& a : c.articles) {
    core::Document doc(record);
    doc.article.title = a.title;
    doc.article.body = a.body;
    (void)(*stage)->Process(doc, core::StageContext{});
    docs.push_back(
        {doc.token_text, doc.token_text.size(), doc.tokens, StemmerFor(doc.language.code)});
    count += doc.tokens.size();
  }
  for (auto _ : state) {
    for (Tokens& d : docs) {
      d.arena.resize(d.folded_bytes);
      StemTokens(d.stemmer, 0, &d.arena, &d.tokens);
    }
    benchmark::DoNotOptimize(docs.data());
  }
  state.counters["tokens/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * static_cast<double>(count),
                         benchmark::Counter::kIsRate);
  Report(state, c);
}
BENCHMARK(BM_StemTokens)->Unit(benchmark::kMillisecond);

// Parts of the stage, to see where the time goes.
void BM_CleanText(benchmark::State& state) {
  NEWSFLOW_CORPUS_OR_SKIP(c);
  std::string out;
  OffsetMap map;
  for (auto _ : state) {
    for (const Article& a : c.articles) {
      CleanText(a.title, {}, &out, &map);
      CleanText(a.body, {}, &out, &map);
      benchmark::DoNotOptimize(out.data());
    }
  }
  Report(state, c);
}
BENCHMARK(BM_CleanText)->Unit(benchmark::kMillisecond);

void BM_ClassifyLines(benchmark::State& state) {
  NEWSFLOW_CORPUS_OR_SKIP(c);
  for (auto _ : state) {
    for (const Article& a : c.articles) {
      std::string_view body(a.body);
      for (size_t pos = 0; pos < body.size();) {
        size_t eol = body.find('\n', pos);
        if (eol == std::string_view::npos) eol = body.size();
        benchmark::DoNotOptimize(ClassifyLine(body.substr(pos, eol - pos)));
        pos = eol + 1;
      }
    }
  }
  Report(state, c);
}
BENCHMARK(BM_ClassifyLines)->Unit(benchmark::kMillisecond);

// Word segmentation: ICU's BreakIterator alone, and the stage's fast path (falls back to ICU
// for scripts it does not model; none in the dev corpus).
void BM_WordBreakIcu(benchmark::State& state) {
  NEWSFLOW_CORPUS_OR_SKIP(c);
  for (auto _ : state) {
    size_t words = 0;
    for (const Article& a : c.articles) {
      ForEachWordIcu(a.title, [&](uint32_t, uint32_t) { ++words; });
      ForEachWordIcu(a.body, [&](uint32_t, uint32_t) { ++words; });
    }
    benchmark::DoNotOptimize(words);
  }
  Report(state, c);
}
BENCHMARK(BM_WordBreakIcu)->Unit(benchmark::kMillisecond);

void BM_WordBreakFastPath(benchmark::State& state) {
  NEWSFLOW_CORPUS_OR_SKIP(c);
  for (auto _ : state) {
    size_t words = 0;
    for (const Article& a : c.articles) {
      ForEachWord(a.title, [&](uint32_t, uint32_t) { ++words; });
      ForEachWord(a.body, [&](uint32_t, uint32_t) { ++words; });
    }
    benchmark::DoNotOptimize(words);
  }
  Report(state, c);
}
BENCHMARK(BM_WordBreakFastPath)->Unit(benchmark::kMillisecond);

void BM_FoldText(benchmark::State& state) {
  NEWSFLOW_CORPUS_OR_SKIP(c);
  const TextFolder& folder = TextFolder::Default();
  std::string out;
  for (auto _ : state) {
    for (const Article& a : c.articles) {
      out.clear();
      folder.FoldNfcAppend(a.title, &out);
      folder.FoldNfcAppend(a.body, &out);
      benchmark::DoNotOptimize(out.data());
    }
  }
  Report(state, c);
}
BENCHMARK(BM_FoldText)->Unit(benchmark::kMillisecond);

void BM_DetectLanguage(benchmark::State& state) {
  NEWSFLOW_CORPUS_OR_SKIP(c);
  for (auto _ : state) {
    for (const Article& a : c.articles) {
      benchmark::DoNotOptimize(DetectLanguage(a.body, {}));
    }
  }
  Report(state, c);
}
BENCHMARK(BM_DetectLanguage)->Unit(benchmark::kMillisecond);

// CLD2 on the first N bytes of each body: its fixed cost per call against its cost per byte.
void BM_DetectLanguageSample(benchmark::State& state) {
  NEWSFLOW_CORPUS_OR_SKIP(c);
  DetectOptions options;
  options.max_bytes = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    for (const Article& a : c.articles) benchmark::DoNotOptimize(DetectLanguage(a.body, options));
  }
  Report(state, c);
}
BENCHMARK(BM_DetectLanguageSample)
    ->Unit(benchmark::kMillisecond)
    ->ArgName("bytes")
    ->Arg(16)
    ->Arg(128)
    ->Arg(256)
    ->Arg(512);

// Tokenize() = clean + word break + fold + bare + stem, with the labelled language's stemmer
// taken as English for every article (a stand-in: most corpus articles are not English, so
// this measures stemming only for Latin-script tokens).
void BM_TokenizeWithStems(benchmark::State& state) {
  NEWSFLOW_CORPUS_OR_SKIP(c);
  TokenStream ts;
  for (auto _ : state) {
    for (const Article& a : c.articles) {
      ts.arena.clear();
      ts.tokens.clear();
      TokenizeOptions options;
      options.language = "en";
      Tokenize(a.body, options, &ts);
      benchmark::DoNotOptimize(ts.tokens.data());
    }
  }
  Report(state, c);
}
BENCHMARK(BM_TokenizeWithStems)->Unit(benchmark::kMillisecond);

// The stage's word tokens (split + fold + bare forms + script counts, no stems) over the clean
// lines of each article: arg 1 = the fused one-pass tokenizer (AppendWordTokens), arg 0 = the
// general path (ForEachWord, then each word folded).
void BM_WordTokens(benchmark::State& state) {
  NEWSFLOW_CORPUS_OR_SKIP(c);
  const bool fused = state.range(0) == 1;
  struct Clean {
    std::string text;
    OffsetMap map;
  };
  std::vector<Clean> cleaned(c.articles.size());
  for (size_t i = 0; i < c.articles.size(); ++i) {
    CleanText(c.articles[i].body, {}, &cleaned[i].text, &cleaned[i].map);
  }
  std::string arena;
  std::vector<core::Token> tokens;
  ScriptHistogram scripts;
  for (auto _ : state) {
    for (const Clean& cl : cleaned) {
      arena.clear();
      tokens.clear();
      const WordSink sink{&arena, &tokens, 100000, &scripts};
      for (size_t pos = 0; pos < cl.text.size();) {
        size_t eol = cl.text.find('\n', pos);
        if (eol == std::string::npos) eol = cl.text.size();
        if (fused) {
          AppendWordTokens(cl.text, pos, eol, core::Field::kBody, cl.map, -1, sink);
        } else {
          internal::AppendWordTokensGeneral(cl.text, pos, eol, core::Field::kBody, cl.map, -1,
                                            sink);
        }
        pos = eol + 1;
      }
      benchmark::DoNotOptimize(tokens.data());
    }
  }
  Report(state, c);
}
BENCHMARK(BM_WordTokens)->Unit(benchmark::kMillisecond)->ArgName("fused")->Arg(0)->Arg(1);

}  // namespace
}  // namespace newsflow::normalize

// glibc returns the top of the heap to the kernel whenever more than 128 KiB is free there
// (M_TRIM_THRESHOLD), and CLD2 allocates and frees ~200 KiB of scratch per call: with the
// defaults every article pays brk() + page faults (~60 us). Services set the thresholds (see
// bench/README.md); so does this benchmark, unless NEWSFLOW_BENCH_DEFAULT_MALLOC=1.
int main(int argc, char** argv) {
  const char* keep = std::getenv("NEWSFLOW_BENCH_DEFAULT_MALLOC");
  if (keep == nullptr || std::string(keep) != "1") {
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
