#include "processors/normalize/normalize_stage.h"

#include <algorithm>
#include <string_view>
#include <unordered_set>
#include <utility>

#include <unicode/uchar.h>
#include <unicode/uscript.h>

#include "processors/normalize/boilerplate.h"
#include "processors/normalize/clean.h"
#include "processors/normalize/dates.h"
#include "processors/normalize/folding.h"
#include "processors/normalize/languages.h"
#include "processors/normalize/offset_map.h"
#include "processors/normalize/tokenize.h"

namespace newsflow::normalize {
namespace {

// The UScriptCode of an ISO 15924 code ("Arab"), or -1.
int ScriptFromCode(const std::string& code) {
  const int script = u_getPropertyValueEnum(UCHAR_SCRIPT, code.c_str());
  if (script < 0) return -1;
  // u_getPropertyValueEnum also takes long names ("Arabic"); only the 4-letter code is meant.
  const char* short_name = uscript_getShortName(static_cast<UScriptCode>(script));
  return short_name != nullptr && code == short_name ? script : -1;
}

// A config map of ISO 15924 codes to byte counts as (UScriptCode, bytes) pairs; invalid entries
// (which FromYaml() reports as errors) are left out.
std::vector<std::pair<int, size_t>> BytesByScript(const std::map<std::string, int64_t>& by_code) {
  std::vector<std::pair<int, size_t>> out;
  for (const auto& [code, bytes] : by_code) {
    const int script = ScriptFromCode(code);
    if (script >= 0 && bytes >= 0) out.emplace_back(script, static_cast<size_t>(bytes));
  }
  return out;
}

void ReadFields(core::ConfigReader& r, NormalizeConfig& c) {
  r.Read("keep_zwnj", &c.keep_zwnj,
         "Keep ZWNJ/ZWJ inside joining-script words (Persian) in display text; the folded "
         "matching form never has them.");
  r.Read("strip_boilerplate", &c.strip_boilerplate,
         "Remove date, source, keyword, footer and read-also lines from the body.");
  r.Read("stem", &c.stem, "Compute Snowball stems for tokens (languages with a stemmer).");
  r.Read("stem_memo_words", &c.stem_memo_words,
         "Words each worker thread remembers the stems of, per language, before its memo starts "
         "over (a miss is a Snowball call, ~0.4 us). Memory: the next power of two >= 2 x this "
         "many 16-byte slots plus the words' bytes, per language and thread (32768: ~1.3 MiB). "
         "Raise it for streams with a large vocabulary.");
  r.Read("trust_feed_language", &c.trust_feed_language,
         "Take the feed's language field over CLD2 (default: the hint only breaks ties).");
  r.Read("max_tokens", &c.max_tokens,
         "Tokens stored per article; further words are counted in word_count only.");
  r.Read("language_sample_bytes", &c.language_sample_bytes,
         "Bytes of title + body given to CLD2 for language identification (0 = all). 512 "
         "decides as well as the whole text on the dev corpus (114/114) at a fraction of the "
         "cost; 256 missed one.");
  r.Read("language_first_pass_bytes", &c.language_first_pass_bytes,
         "CLD2 first reads only this many bytes of the sample, and the whole sample only when "
         "that answer is not reliable (CLD2's is_reliable and a top language share of at least "
         "95%); 0 = always the whole sample. 192 keeps the dev corpus at 114/114 with a second "
         "pass for 5 of 114 articles, at ~40% of CLD2's one-pass cost; 128 and 160 let a noisy "
         "Spanish text come out English (99%) (single-script text: see "
         "language_first_pass_bytes_single_script).");
  r.Read("language_first_pass_bytes_by_script", &c.language_first_pass_bytes_by_script,
         "language_first_pass_bytes for text whose dominant script (ISO 15924 code) is listed; "
         "a given mapping replaces the default whole ({} = the same first pass for every "
         "script). Few languages share the Arabic and Hebrew scripts: on 965 text windows of "
         "the dev corpus and its noisy variants in them, 32-96 bytes gave no wrong language.");
  r.Read("language_first_pass_bytes_single_script", &c.language_first_pass_bytes_single_script,
         "The first pass for text whose letters are nearly all (language_single_script_share) "
         "in one script, by that script (ISO 15924); it takes precedence over "
         "language_first_pass_bytes_by_script. Short samples go wrong on noisy text (symbols, "
         "marks and letters of other scripts inside words), not on clean single-script text: "
         "on 25,445 texts (dev corpus articles and windows, noisy and mutated variants) these "
         "defaults changed 19 answers of 15,567 Latin/Cyrillic texts, all noisy ones (5 became "
         "right, 14 wrong), none of the clean ones, for ~9 % of the stage's time; 96 went wrong "
         "on clean text. A given mapping replaces the default whole ({} = off).");
  r.Read("language_single_script_share", &c.language_single_script_share,
         "Share of an article's letters (title + kept body) that must be in its dominant script "
         "for language_first_pass_bytes_single_script to apply (0-1).");
  const std::pair<const char*, const std::map<std::string, int64_t>*> script_maps[] = {
      {"language_first_pass_bytes_by_script", &c.language_first_pass_bytes_by_script},
      {"language_first_pass_bytes_single_script", &c.language_first_pass_bytes_single_script}};
  for (const auto& [key, map] : script_maps) {
    for (const auto& [script, bytes] : *map) {
      r.Require(ScriptFromCode(script) >= 0, key,
                "'" + script + "' is not an ISO 15924 script code (e.g. Arab, Hebr, Cyrl)");
      r.Require(bytes >= 0, key, "'" + script + "': must not be negative");
    }
  }
  r.Require(c.language_single_script_share >= 0 && c.language_single_script_share <= 1,
            "language_single_script_share", "must be between 0 and 1");
  r.Require(c.max_tokens >= 0 && c.max_tokens <= 1000000, "max_tokens",
            "must be between 0 and 1000000");
  r.Require(c.stem_memo_words >= 1024 && c.stem_memo_words <= (int64_t{1} << 22), "stem_memo_words",
            "must be between 1024 and 4194304");
  r.Require(c.language_sample_bytes >= 0, "language_sample_bytes", "must not be negative");
  r.Require(c.language_first_pass_bytes >= 0, "language_first_pass_bytes", "must not be negative");
}

// A line of the clean body: [begin, end) in the clean text.
struct Line {
  uint32_t begin;
  uint32_t end;
  bool blank_before;  // a blank line separates it from the previous kept line
};

// Per-thread scratch, reused across documents to avoid reallocating per article.
}  // namespace

// Per-thread buffers of NormalizeStage::Process, reused from record to record.
struct NormalizeStage::Scratch {
  std::string html_text;
  OffsetMap html_map;
  std::string clean;
  OffsetMap map;
  OffsetMap title_map;
  std::string detect;
  std::vector<Line> lines;
};

namespace {

using Scratch = NormalizeStage::Scratch;

void AddKeywords(std::string_view list, std::vector<std::string>* keywords) {
  for (std::string& k : SplitKeywords(list)) {
    if (std::find(keywords->begin(), keywords->end(), k) == keywords->end()) {
      keywords->push_back(std::move(k));
    }
  }
}

// The phases of NormalizeStage::Process, in order. Each reads what the previous ones left in
// the Document and the thread's Scratch.

// 1. Display text: title and body cleaned (HTML to text first when the body is HTML), with the
// offset maps back to the original text.
void CleanDisplayText(core::Document& doc, bool keep_zwnj, Scratch& s) {
  const schemas::RawArticle& a = doc.article;
  const CleanOptions body_options{.single_line = false, .keep_zwnj = keep_zwnj};
  const CleanOptions title_options{.single_line = true, .keep_zwnj = keep_zwnj};
  CleanText(a.title, title_options, &doc.title, &s.title_map);
  if (a.content_type == "text/html") {
    HtmlToText(a.body, &s.html_text, &s.html_map);
    CleanText(s.html_text, body_options, &s.clean, &s.map);
    s.map = s.map.Compose(s.html_map);
  } else {
    CleanText(a.body, body_options, &s.clean, &s.map);
  }
}

// What SplitStructure found besides the article's own lines (views into Scratch::clean).
struct Boilerplate {
  std::string_view date_line;
  std::string_view source_line;
};

// 2. Structure: classifies the clean body's lines; keeps the article's own in Scratch::lines,
// takes keywords and "read also" titles into the Document, and returns the date and source
// lines.
Boilerplate SplitStructure(core::Document& doc, bool strip_boilerplate, Scratch& s) {
  enum class Mode { kMain, kRelatedTitle, kRelatedBody };
  const std::string& clean = s.clean;
  Mode mode = Mode::kMain;
  Boilerplate found;
  s.lines.clear();
  doc.keywords.clear();
  doc.related.clear();
  bool blank_pending = false;
  for (size_t pos = 0; pos <= clean.size();) {
    size_t eol = clean.find('\n', pos);
    if (eol == std::string::npos) eol = clean.size();
    const std::string_view line(clean.data() + pos, eol - pos);
    const Line range{static_cast<uint32_t>(pos), static_cast<uint32_t>(eol), false};
    pos = eol + 1;
    if (line.empty()) {
      blank_pending = true;
      continue;
    }
    if (!strip_boilerplate) {
      s.lines.push_back({range.begin, range.end, blank_pending && !s.lines.empty()});
      blank_pending = false;
      continue;
    }
    const LineInfo info = ClassifyLine(line);
    if (info.kind == LineKind::kReadAlso) {
      if (!info.value.empty()) {
        doc.related.emplace_back(info.value);
        mode = Mode::kRelatedBody;
      } else {
        mode = Mode::kRelatedTitle;
      }
      continue;
    }
    if (mode == Mode::kRelatedTitle) {
      doc.related.emplace_back(line);
      mode = Mode::kRelatedBody;
      continue;
    }
    if (mode == Mode::kRelatedBody) continue;
    switch (info.kind) {
      case LineKind::kText:
        s.lines.push_back({range.begin, range.end, blank_pending && !s.lines.empty()});
        blank_pending = false;
        break;
      case LineKind::kDate:
        if (found.date_line.empty()) found.date_line = info.value.empty() ? line : info.value;
        break;
      case LineKind::kSource:
        if (found.source_line.empty()) found.source_line = info.value;
        break;
      case LineKind::kKeywords:
        AddKeywords(info.value, &doc.keywords);
        break;
      case LineKind::kFooter:
      case LineKind::kReadAlso:
        break;
    }
  }
  return found;
}

// 3. The clean body and lead from the kept lines.
void AssembleBodyAndLead(core::Document& doc, const Scratch& s) {
  const std::string& clean = s.clean;
  doc.body.clear();
  doc.body.reserve(clean.size());
  for (const Line& l : s.lines) {
    if (!doc.body.empty()) doc.body.append(l.blank_before ? "\n\n" : "\n");
    doc.body.append(clean, l.begin, l.end - l.begin);
  }
  doc.lead.clear();
  if (!s.lines.empty()) doc.lead.assign(clean, s.lines[0].begin, s.lines[0].end - s.lines[0].begin);
}

// 4. Tokens of the title, the lead and the body (folded and bare forms; stems come once the
// language is known), and the word count. Returns the letters' script histogram.
ScriptHistogram TokenizeFields(core::Document& doc, size_t max_tokens, const Scratch& s) {
  doc.tokens.clear();
  doc.token_hashes.clear();  // refilled by StemTokens(); never stale hashes for new tokens
  doc.token_text.clear();
  doc.token_text.reserve(doc.title.size() + doc.body.size() + doc.body.size() / 2 + 64);
  doc.tokens.reserve(std::min<size_t>(max_tokens, (doc.title.size() + doc.body.size()) / 6 + 8));
  ScriptHistogram scripts;
  const WordSink sink{&doc.token_text, &doc.tokens, max_tokens, &scripts};
  int64_t words = 0;
  words += static_cast<int64_t>(
      AppendWordTokens(doc.title, 0, doc.title.size(), core::Field::kTitle, s.title_map, -1, sink));
  for (size_t i = 0; i < s.lines.size(); ++i) {
    const Line& l = s.lines[i];
    words += static_cast<int64_t>(AppendWordTokens(s.clean, l.begin, l.end,
                                                   i == 0 ? core::Field::kLead : core::Field::kBody,
                                                   s.map, -1, sink));
  }
  doc.word_count = words;
  return scripts;
}

// 6. The publication time: the feed's field first, then a date line of the text; the string
// it was taken from (or, when none parses, the feed's string or the date line) as
// published_raw.
void ResolvePublished(core::Document& doc, std::string_view date_line) {
  const schemas::RawArticle& a = doc.article;
  doc.published_at_ms.reset();
  doc.published_raw.clear();
  if (!a.published.empty()) {
    if (const std::optional<ParsedDate> d = ParseDate(a.published)) {
      doc.published_at_ms = d->epoch_ms;
      doc.published_raw = a.published;
    }
  }
  if (!doc.published_at_ms && !date_line.empty()) {
    if (const std::optional<ParsedDate> d = ParseDate(date_line)) {
      doc.published_at_ms = d->epoch_ms;
      doc.published_raw.assign(date_line);
    }
  }
  if (!doc.published_at_ms) {
    if (!a.published.empty()) {
      doc.published_raw = a.published;
    } else {
      doc.published_raw.assign(date_line);
    }
  }
}

}  // namespace

Result<NormalizeConfig> NormalizeConfig::FromYaml(const YAML::Node& node, const std::string& path) {
  NormalizeConfig c;
  core::ConfigReader r(node, path);
  ReadFields(r, c);
  NEWSFLOW_RETURN_IF_ERROR(r.Finish());
  return c;
}

Result<std::unique_ptr<core::Stage>> NormalizeStage::Create(const YAML::Node& node,
                                                            const std::string& path) {
  NEWSFLOW_ASSIGN_OR_RETURN(NormalizeConfig config, NormalizeConfig::FromYaml(node, path));
  return std::unique_ptr<core::Stage>(std::make_unique<NormalizeStage>(std::move(config)));
}

NormalizeStage::NormalizeStage(NormalizeConfig config) : config_(std::move(config)) {
  first_pass_by_script_ = BytesByScript(config_.language_first_pass_bytes_by_script);
  first_pass_single_script_ = BytesByScript(config_.language_first_pass_bytes_single_script);
  // Build the immutable tables now rather than on the first record.
  (void)TextFolder::Default();
  TokenStream warm;
  Tokenize("warm up", {}, &warm);
  (void)ClassifyLine("warm up");  // the marker tables
}

size_t NormalizeStage::FirstPassBytes(int script, double share) const {
  if (share >= config_.language_single_script_share) {
    for (const auto& [s, bytes] : first_pass_single_script_) {
      if (s == script) return bytes;
    }
  }
  for (const auto& [s, bytes] : first_pass_by_script_) {
    if (s == script) return bytes;
  }
  return static_cast<size_t>(config_.language_first_pass_bytes);
}

// 5. Language (CLD2 on the title and the start of the body, first pass sized by the dominant
// script) and the tokens' stems in that language.
void NormalizeStage::DetectLanguageAndStem(core::Document& doc, const ScriptHistogram& scripts,
                                           Scratch& s) const {
  const auto sample = static_cast<size_t>(config_.language_sample_bytes);
  s.detect.clear();
  s.detect.append(doc.title);
  s.detect.push_back('\n');
  s.detect.append(doc.body, 0, sample == 0 ? std::string::npos : sample);
  double share = 0;
  const int dominant = scripts.Dominant(&share);
  doc.language = DetectLanguage(s.detect, {.hint = doc.article.language,
                                           .trust_hint = config_.trust_feed_language,
                                           .dominant_script = dominant,
                                           .max_bytes = sample,
                                           .first_pass_bytes = FirstPassBytes(dominant, share)});
  // (A language without a stemmer, or none detected: StemmerFor() is -1 and StemTokens() hashes
  // the folded forms alone.)
  if (config_.stem) {
    StemTokens(StemmerFor(doc.language.code), 0, &doc.token_text, &doc.tokens,
               static_cast<size_t>(config_.stem_memo_words), &doc.token_hashes);
  }
}

Status NormalizeStage::Process(core::Document& doc, const core::StageContext& /*ctx*/) const {
  thread_local Scratch scratch;
  Scratch& s = scratch;
  CleanDisplayText(doc, config_.keep_zwnj, s);
  const Boilerplate found = SplitStructure(doc, config_.strip_boilerplate, s);
  AssembleBodyAndLead(doc, s);
  const ScriptHistogram scripts = TokenizeFields(doc, static_cast<size_t>(config_.max_tokens), s);
  DetectLanguageAndStem(doc, scripts, s);
  ResolvePublished(doc, found.date_line);
  // The source from the credit line when the feed has none.
  if (doc.article.source.empty() && !found.source_line.empty()) {
    doc.article.source.assign(found.source_line);
  }
  doc.normalized = true;
  return Status::Ok();
}

}  // namespace newsflow::normalize
