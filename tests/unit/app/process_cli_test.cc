// End-to-end tests of the `newsflow` binary in offline mode: exit codes, stdout/stderr,
// the dead-letter file, and the reconciliation of counts on a file full of bad records.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include <gtest/gtest.h>

#include "schemas/text.h"
#include "schemas/validate.h"
#include "tests/testing/testing.h"

namespace newsflow {
namespace {

struct CliRun {
  int exit_code;
  std::string out;
  std::string err;
};

CliRun Newsflow(const std::string& args) {
  // Unique per test: ctest runs the tests of this binary in parallel processes.
  const std::string dir =
      ::testing::TempDir() + "/" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
  const std::string out = dir + ".out";
  const std::string err = dir + ".err";
  const std::string cmd = std::string(NEWSFLOW_BINARY) + " " + args + " >" + out + " 2>" + err;
  const int rc = std::system(cmd.c_str());
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, testing::ReadFile(out), testing::ReadFile(err)};
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    lines.push_back(text.substr(pos, eol - pos));
    pos = eol + 1;
  }
  return lines;
}

std::string WriteTemp(const std::string& name, const std::string& content) {
  const std::string path = ::testing::TempDir() + "/" +
                           ::testing::UnitTest::GetInstance()->current_test_info()->name() + "_" +
                           name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(ProcessCliTest, HelpAndVersion) {
  CliRun help = Newsflow("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("process"), std::string::npos);
  CliRun version = Newsflow("--version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("newsflow 0."), std::string::npos) << version.out;
  // The allocator it was linked with (NEWSFLOW_TCMALLOC; the test binary is built alike).
#ifdef NEWSFLOW_TCMALLOC
  EXPECT_NE(version.out.find("tcmalloc)"), std::string::npos) << version.out;
#else
  EXPECT_NE(version.out.find("glibc malloc)"), std::string::npos) << version.out;
#endif
  CliRun sub = Newsflow("process --help");
  EXPECT_EQ(sub.exit_code, 0);
  EXPECT_NE(sub.out.find("--dead-letter"), std::string::npos);
}

TEST(ProcessCliTest, UsageErrorsExitTwoWithAMessage) {
  CliRun none = Newsflow("");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("A subcommand is required"), std::string::npos) << none.err;
  CliRun unknown = Newsflow("bogus");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown command 'bogus'"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("process"), std::string::npos) << "lists the commands";
  CliRun bad_opt = Newsflow("process --no-such-option");
  EXPECT_EQ(bad_opt.exit_code, 2);
  EXPECT_NE(bad_opt.err.find("--no-such-option"), std::string::npos) << bad_opt.err;
  CliRun bad_value = Newsflow("process --format yaml /dev/null");
  EXPECT_EQ(bad_value.exit_code, 2);
  EXPECT_NE(bad_value.err.find("--format"), std::string::npos) << bad_value.err;
  CliRun missing_arg = Newsflow("validate-config");
  EXPECT_EQ(missing_arg.exit_code, 2);
  CliRun missing = Newsflow("process /nonexistent/input.jsonl");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("cannot read input '/nonexistent/input.jsonl': No such file or "
                             "directory"),
            std::string::npos)
      << missing.err;
  const std::string cfg = WriteTemp("bad_config.yaml", "pipeline:\n  decode:\n    max_bytes: 5\n");
  CliRun bad_cfg = Newsflow("process -c " + cfg + " /dev/null");
  EXPECT_EQ(bad_cfg.exit_code, 2);
  EXPECT_NE(bad_cfg.err.find("pipeline.decode.max_bytes: unknown key"), std::string::npos)
      << bad_cfg.err;
  CliRun bad_time = Newsflow("process --processed-at yesterday /dev/null");
  EXPECT_EQ(bad_time.exit_code, 2);
}

TEST(ProcessCliTest, ADirectoryIsAUsageErrorNamingIt) {
  const std::string dir = ::testing::TempDir();
  for (const char* command : {"process", "explain"}) {
    CliRun r = Newsflow(std::string(command) + " " + dir);
    EXPECT_EQ(r.exit_code, 2) << command;
    EXPECT_NE(r.err.find("is a directory"), std::string::npos) << command << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << command;
  }
}

TEST(ProcessCliTest, AnUnreadableFileIsAUsageErrorWithTheReason) {
  // root reads any file whatever its mode; a /proc/sys file without read permission refuses
  // even root.
  std::string path = WriteTemp("secret.jsonl", "{\"title\":\"a\"}\n");
  ASSERT_EQ(::chmod(path.c_str(), 0), 0);
  if (::geteuid() == 0) path = "/proc/sys/vm/compact_memory";
  if (::access(path.c_str(), F_OK) != 0) GTEST_SKIP() << "no unreadable file available";
  CliRun r = Newsflow("process " + path);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot read input '" + path + "': Permission denied"), std::string::npos)
      << r.err;
}

TEST(ProcessCliTest, AReadErrorMidRunExitsOneWithTheReason) {
  // /proc/self/mem opens like a regular file and fails with EIO at the first read.
  CliRun r = Newsflow("process /proc/self/mem");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("'/proc/self/mem': read error: Input/output error"), std::string::npos)
      << r.err;
}

TEST(ProcessCliTest, AFifoIsReadLikeAFile) {
  const std::string fifo = ::testing::TempDir() + "/process_cli_fifo";
  ::unlink(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string writer = "(printf '{\"title\":\"Ceasefire talks\"}\\n' > " + fifo + ") &";
  ASSERT_EQ(std::system(writer.c_str()), 0);
  CliRun r = Newsflow("process --format jsonl " + fifo);
  ::unlink(fifo.c_str());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Lines(r.out).size(), 1u) << r.out;
  EXPECT_NE(r.err.find("read 1, enriched 1, dead-lettered 0"), std::string::npos) << r.err;
}

TEST(ProcessCliTest, EmptyStdinAndAnEmptyFileBehaveAlike) {
  const std::string empty_jsonl = WriteTemp("empty.jsonl", "");
  const std::string empty_txt = WriteTemp("empty.txt", "\xEF\xBB\xBF \n\n");
  for (const std::string& args : {std::string("process < /dev/null"), "process " + empty_jsonl,
                                  "process " + empty_txt, std::string("process - < /dev/null")}) {
    CliRun r = Newsflow(args);
    EXPECT_EQ(r.exit_code, 0) << args << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << args;
    EXPECT_NE(r.err.find("empty input (no records)"), std::string::npos) << args << ": " << r.err;
    EXPECT_NE(r.err.find("read 0, enriched 0, dead-lettered 0"), std::string::npos) << args;
  }
  CliRun explain = Newsflow("explain " + empty_txt);
  EXPECT_EQ(explain.exit_code, 2);
  EXPECT_NE(explain.err.find("empty input (no article)"), std::string::npos) << explain.err;
}

TEST(ProcessCliTest, SummaryGivesRecordsAndMegabytesPerSecond) {
  CliRun r = Newsflow("process " + testing::SourcePath("samples/articles.jsonl"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_search(r.err, std::regex(R"(records/s, [0-9]+\.[0-9] MB/s)"))) << r.err;
  CliRun quiet = Newsflow("process -q --dead-letter /dev/null " +
                          testing::SourcePath("samples/articles.jsonl"));
  EXPECT_TRUE(quiet.err.empty()) << quiet.err;
}

TEST(ProcessCliTest, ValidateConfig) {
  const std::string good = WriteTemp("good.yaml", "pipeline:\n  stages: [decode, encode]\n");
  CliRun ok = Newsflow("validate-config " + good);
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  const std::string bad = WriteTemp("typo.yaml", "pipelin:\n  stages: [decode]\n");
  CliRun fail = Newsflow("validate-config " + bad);
  EXPECT_EQ(fail.exit_code, 2);
  EXPECT_NE(fail.err.find("pipelin: unknown key"), std::string::npos) << fail.err;
}

TEST(ProcessCliTest, SeedArticlePrintsOneSchemaValidEventWithItsTitle) {
  CliRun r =
      Newsflow("process " + testing::SourcePath("tests/data/seed_ar_000_66ca287a9a26f914.txt"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(schemas::ValidateText(schemas::SchemaId::kEnrichedEvent, lines[0]).ok());
  EXPECT_NE(
      lines[0].find(R"("title":"أكسيوس: البيت الأبيض يجمد خطط عقد قمة ثانية بين ترامب وبوتين")"),
      std::string::npos);
  EXPECT_NE(r.err.find("read 1, enriched 1, dead-lettered 0"), std::string::npos) << r.err;
}

TEST(ProcessCliTest, StdinIsReadWhenNoFileIsGiven) {
  const std::string in = WriteTemp("stdin.jsonl", "{\"title\":\"A\"}\n{\"title\":\"B\"}\n");
  CliRun r = Newsflow("process < " + in);
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(Lines(r.out).size(), 2u);
  EXPECT_NE(r.out.find(R"("kind":"stdin","line":2)"), std::string::npos);
}

// The issue's acceptance case: good records mixed with every kind of bad one.
TEST(ProcessCliTest, MixedBadRecordsAreDeadLetteredAndCountsReconcile) {
  struct Line {
    std::string bytes;
    std::string expect_class;  // empty: good record
  };
  std::string utf16;
  for (char c : std::string(R"({"title":"utf16"})")) {
    utf16 += c;
    utf16 += '\0';
  }
  std::string nested =
      R"({"title":"t","junk":)" + std::string(5000, '[') + std::string(5000, ']') + "}";
  const std::vector<Line> lines = {
      {"\xEF\xBB\xBF{\"id\":\"good-1\",\"title\":\"Ceasefire talks resume\",\"body\":\"Delegations "
       "met.\"}",
       ""},
      {R"({"title": "x", })", "malformed"},
      {R"({"id":"good-2","title":"قمة ثانية بين ترامب وبوتين","body":"نص","feed":{"k":1}})", ""},
      {R"({"title":"Truncated art)", "malformed"},
      {"{\"title\":\"caf\xE9\"}", "invalid_encoding"},
      {R"({"title": 5, "body": ["x"]})", "schema_violation"},
      {R"({"id":"good-3","url":"https://example.org/3","title":"Перемирие","body":"Текст"})", ""},
      {R"({"url":"https://example.org/no-text"})", "empty_article"},
      {R"({"title":"big","body":")" + std::string(1100000, 'x') + R"("})", "too_large"},
      {std::string("{\"title\":\"a\0b\"}", 15), "invalid_encoding"},
      {nested, "malformed"},
      {R"([{"title":"in an array"}])", "schema_violation"},
      {utf16, "invalid_encoding"},
      {R"({"title":"","body":"   "})", "empty_article"},
      {R"("just a string")", "schema_violation"},
      {"null", "schema_violation"},
      {R"({"id":"good-4","title":"Trêve hivernale","body":"Texte","content_type":"text/plain"})",
       ""},
      {R"({"id":"good-5","body":"Only a body, no title."})", ""},
  };
  std::string file;
  for (size_t i = 0; i < lines.size(); ++i) {
    file += lines[i].bytes + "\n";
    if (i == 3) file += "\n   \n";  // blank lines are skipped, not counted
  }
  const std::string in = WriteTemp("mixed.jsonl", file);
  const std::string dl = ::testing::TempDir() + "/mixed.dead.jsonl";
  CliRun r = Newsflow("process --dead-letter " + dl + " --processed-at 2026-01-01T00:00:00Z " + in);
  ASSERT_EQ(r.exit_code, 0) << r.err;

  size_t good = 0;
  for (const auto& l : lines) good += l.expect_class.empty() ? 1 : 0;
  const size_t bad = lines.size() - good;
  ASSERT_GE(bad, 10u);

  auto out = Lines(r.out);
  ASSERT_EQ(out.size(), good);
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_TRUE(schemas::ValidateText(schemas::SchemaId::kEnrichedEvent, out[i]).ok()) << out[i];
    EXPECT_NE(out[i].find("\"id\":\"good-" + std::to_string(i + 1) + "\""), std::string::npos)
        << "good records come out in input order";
  }
  EXPECT_NE(r.out.find(R"("extra":{"feed":{"k":1}})"), std::string::npos);

  auto dead = Lines(testing::ReadFile(dl));
  ASSERT_EQ(dead.size(), bad);
  size_t d = 0;
  int line_number = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    ++line_number;
    if (i == 4) line_number += 2;  // the two blank lines after record 4
    if (lines[i].expect_class.empty()) continue;
    const std::string& rec = dead[d++];
    SCOPED_TRACE("record " + std::to_string(i) + ": " + rec.substr(0, 300));
    EXPECT_TRUE(schemas::ValidateText(schemas::SchemaId::kDeadLetter, rec).ok());
    EXPECT_NE(rec.find("\"class\":\"" + lines[i].expect_class + "\""), std::string::npos);
    EXPECT_NE(rec.find("\"line\":" + std::to_string(line_number) + "}"), std::string::npos);
    EXPECT_NE(rec.find("\"base64\":\"" + schemas::Base64Encode(lines[i].bytes) + "\""),
              std::string::npos)
        << "the original bytes are carried unchanged";
  }
  const std::string summary = "read " + std::to_string(lines.size()) + ", enriched " +
                              std::to_string(good) + ", dead-lettered " + std::to_string(bad) +
                              " (blank lines skipped 2)";
  EXPECT_NE(r.err.find(summary), std::string::npos) << r.err;
}

TEST(ProcessCliTest, WithoutDeadLetterFileEachRejectIsReportedOnStderr) {
  const std::string in = WriteTemp("two_bad.jsonl", "{oops\n{\"title\":\"ok\"}\n[1]\n");
  CliRun r = Newsflow("process " + in);
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(Lines(r.out).size(), 1u);
  EXPECT_NE(r.err.find(in + ":1: decode: malformed:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(in + ":3: decode: schema_violation:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("read 3, enriched 1, dead-lettered 2"), std::string::npos);
}

}  // namespace
}  // namespace newsflow

namespace newsflow {
namespace {

std::string SeedPath() {
  return testing::SourcePath("tests/data/seed_ar_000_66ca287a9a26f914.txt");
}

TEST(ExplainCliTest, ShowsTopicRulesEntitiesAndRelated) {
  CliRun r = Newsflow("explain " + SeedPath());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("language: ar"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("related (not scored)"), std::string::npos);
  EXPECT_NE(r.out.find("ceasefire_talks"), std::string::npos);
  EXPECT_NE(r.out.find("ASSIGNED"), std::string::npos);
  EXPECT_NE(r.out.find("person/donald-trump Donald Trump"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"ترامب\" title ["), std::string::npos)
      << "mentions with field and offsets";
}

TEST(ExplainCliTest, TopicFilterAndUnknownTopic) {
  CliRun r = Newsflow("explain " + SeedPath() + " --topic summit_diplomacy");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("summit_diplomacy"), std::string::npos);
  EXPECT_EQ(r.out.find("ceasefire_talks"), std::string::npos) << "only the asked topic";
  EXPECT_EQ(r.out.find("entities ("), std::string::npos);
  CliRun bad = Newsflow("explain " + SeedPath() + " --topic no_such_topic");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("unknown topic 'no_such_topic'"), std::string::npos);
}

TEST(EvalCliTest, PrintsPerTopicFiguresAndEntityRecall) {
  const std::string gold = WriteTemp(
      "gold.jsonl",
      R"({"id":"g1","lang":"en","title":"Ceasefire agreed in Gaza","body":"Israel and Hamas agreed to a ceasefire after talks mediated by Qatar.","labels":["ceasefire_talks"],"entities":["Israel","Hamas","Qatar"]})"
      "\n"
      R"({"id":"g2","lang":"en","title":"Local bakery opens","body":"A new bakery opened on Main Street.","labels":["other"],"entities":[]})"
      "\n");
  CliRun r = Newsflow("eval --gold " + gold);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("articles 2 (rejected by the pipeline: 0)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ceasefire_talks"), std::string::npos);
  EXPECT_NE(r.out.find("micro"), std::string::npos);
  EXPECT_NE(r.out.find("entity recall 1.000 (3 of 3"), std::string::npos) << r.out;
  CliRun missing = Newsflow("eval --gold /nonexistent.jsonl");
  EXPECT_EQ(missing.exit_code, 2);
}

TEST(ValidateConfigCliTest, RejectsABrokenTaxonomyNamingFileAndLine) {
  const std::string dir = ::testing::TempDir() + "/broken_taxonomy";
  std::system(("rm -rf " + dir + " && mkdir -p " + dir + "/entities " + dir + "/topics").c_str());
  std::ofstream(dir + "/taxonomy.yaml")
      << "version: \"x\"\nentities: [\"entities/*.yaml\"]\ntopics: [\"topics/*.yaml\"]\n";
  std::ofstream(dir + "/entities/e.yaml")
      << "entities:\n  - {id: p/x, type: person, name: X, aliases: {en: [Xavier]}}\n";
  std::ofstream(dir + "/topics/t.yaml")
      << "topic:\n  id: t\n  groups: {g: {en: [truce]}}\n  rules:\n    - {name: r, any: [h]}\n";
  const std::string cfg =
      WriteTemp("taxonomy_config.yaml", "taxonomy:\n  path: " + dir + "/taxonomy.yaml\n");
  CliRun r = Newsflow("validate-config " + cfg);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("topics/t.yaml:5: topic 't': rule 'r': unknown group 'h'"),
            std::string::npos)
      << r.err;
}

TEST(ValidateConfigCliTest, RejectsBrokenAlertRulesNamingTheRuleAndKey) {
  const std::string rules = WriteTemp(
      "rules.yaml", "version: t\nrules:\n  - id: x\n    severity: loud\n    when: {terms: [a]}\n");
  const std::string cfg = WriteTemp("alerts_config.yaml", "alerts:\n  path: " + rules + "\n");
  CliRun r = Newsflow("validate-config " + cfg);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("rules[0](x).severity"), std::string::npos) << r.err;
}

TEST(ProcessCliTest, AlertsAndStoriesFilesHoldSchemaValidRecords) {
  const std::string body_en =
      "UN envoy Hans Grundberg announced a two-month truce in Yemen between the Houthis and the "
      "Saudi-led coalition, a ceasefire starting on Saturday across the country.";
  const std::string body_fr =
      "L'envoye de l'ONU Hans Grundberg a annonce une treve de deux mois au Yemen entre les "
      "Houthis et la coalition, un cessez-le-feu qui commence samedi.";
  const std::string input =
      WriteTemp("in.jsonl",
                "{\"id\":\"a\",\"title\":\"Truce in Yemen\",\"body\":\"" + body_en +
                    "\",\"published\":\"2022-04-01T10:00:00Z\"}\n"
                    "{\"id\":\"b\",\"title\":\"Treve au Yemen\",\"body\":\"" +
                    body_fr +
                    "\",\"published\":\"2022-04-01T11:00:00Z\"}\n"
                    "{\"id\":\"c\",\"title\":\"PSG win the final\",\"body\":\"Paris Saint-Germain "
                    "beat Inter Milan 5-0 in Munich.\",\"published\":\"2025-05-31T21:00:00Z\"}\n");
  const std::string alerts = ::testing::TempDir() + "/cli_alerts.jsonl";
  const std::string stories = ::testing::TempDir() + "/cli_stories.jsonl";
  CliRun r = Newsflow("process " + input + " --alerts " + alerts + " --stories " + stories);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto events = Lines(r.out);
  ASSERT_EQ(events.size(), 3u);
  std::vector<std::string> ids;
  for (const auto& e : events) {
    const size_t p = e.find("\"story\":{\"id\":\"");
    ASSERT_NE(p, std::string::npos) << e;
    ids.push_back(e.substr(p + 16, 19));
  }
  EXPECT_EQ(ids[0], ids[1]);  // the English and French reports: one story
  EXPECT_NE(ids[0], ids[2]);
  const auto alert_lines = Lines(testing::ReadFile(alerts));
  ASSERT_GE(alert_lines.size(), 1u);
  for (const auto& a : alert_lines) {
    EXPECT_TRUE(schemas::ValidateText(schemas::SchemaId::kAlert, a).ok()) << a;
  }
  const auto story_lines = Lines(testing::ReadFile(stories));
  EXPECT_EQ(story_lines.size(), 2u);
  for (const auto& st : story_lines) {
    EXPECT_TRUE(schemas::ValidateText(schemas::SchemaId::kStory, st).ok()) << st;
  }
  EXPECT_NE(r.err.find("alerts " + std::to_string(alert_lines.size())), std::string::npos) << r.err;
}

TEST(ExplainCliTest, ShowsTheStoryAndTheAlertRules) {
  const std::string input = WriteTemp(
      "in.jsonl",
      "{\"id\":\"a\",\"title\":\"Truce in Yemen\",\"body\":\"The UN announced a truce in "
      "Yemen between the Houthis and Saudi Arabia.\",\"published\":\"2022-04-01T10:00:00Z\"}\n"
      "{\"id\":\"b\",\"title\":\"Yemen truce holds\",\"body\":\"The truce in Yemen between "
      "the Houthis and Saudi Arabia holds, the UN said.\",\"published\":\"2022-04-01T12:00:00Z\"}"
      "\n");
  CliRun r = Newsflow("explain " + input + " --line 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("story (after the 1 records before this one)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("joined st-"), std::string::npos) << r.out;
  // Why: these two short texts share their opening, so b is a near-duplicate of a.
  EXPECT_NE(r.out.find("why: near-duplicate of a"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("alert rules:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("story-confirmed"), std::string::npos) << r.out;
}

TEST(CompileTaxonomyCliTest, SnapshotLoadsWithTheSameOutputAndDamageFallsBackToYaml) {
  const std::string snapshot = ::testing::TempDir() + "/cli_builtin.nfsnap";
  std::remove(snapshot.c_str());
  CliRun compiled = Newsflow("compile-taxonomy -o " + snapshot);
  ASSERT_EQ(compiled.exit_code, 0) << compiled.err;
  EXPECT_TRUE(std::regex_search(
      compiled.out, std::regex("wrote .*cli_builtin.nfsnap: taxonomy .* from the built-in "
                               "taxonomy, [0-9]+ entities, [0-9]+ topics, [0-9]+ patterns")))
      << compiled.out;
  EXPECT_NE(compiled.out.find("format 5"), std::string::npos) << compiled.out;

  const std::string process =
      "process --processed-at 2026-01-01T00:00:00Z --dead-letter /dev/null " +
      testing::SourcePath("samples/articles.jsonl");
  CliRun yaml = Newsflow(process);
  ASSERT_EQ(yaml.exit_code, 0) << yaml.err;
  ASSERT_GE(Lines(yaml.out).size(), 10u);
  CliRun snap = Newsflow(process + " --taxonomy-snapshot " + snapshot);
  ASSERT_EQ(snap.exit_code, 0) << snap.err;
  EXPECT_EQ(snap.out, yaml.out);
  EXPECT_EQ(snap.err.find("warning"), std::string::npos) << snap.err;

  // One flipped byte: rejected with the reason on stderr, the YAML compiled, the same output.
  std::string bytes = testing::ReadFile(snapshot);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x40);
  std::ofstream(snapshot, std::ios::binary | std::ios::trunc) << bytes;
  CliRun damaged = Newsflow(process + " --taxonomy-snapshot " + snapshot);
  ASSERT_EQ(damaged.exit_code, 0) << damaged.err;
  EXPECT_EQ(damaged.out, yaml.out);
  EXPECT_NE(damaged.err.find("warning: snapshot " + snapshot +
                             " rejected: corrupt (checksum mismatch); using the YAML taxonomy"),
            std::string::npos)
      << damaged.err;
}

TEST(CompileTaxonomyCliTest, CacheDirectoryFromTheConfigIsFilledThenUsed) {
  const std::string cache = ::testing::TempDir() + "/cli_taxonomy_cache";
  std::system(("rm -rf " + cache).c_str());
  const std::string cfg = WriteTemp("cache.yaml", "taxonomy:\n  cache_dir: " + cache + "\n");
  const std::string process = "process -c " + cfg +
                              " --processed-at 2026-01-01T00:00:00Z --dead-letter /dev/null " +
                              testing::SourcePath("samples/articles.jsonl");
  CliRun first = Newsflow(process);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  std::vector<std::string> entries;
  for (const auto& e : std::filesystem::directory_iterator(cache)) {
    entries.push_back(e.path().filename().string());
  }
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_TRUE(
      std::regex_match(entries[0], std::regex(R"(taxonomy-v5-[0-9a-f]{16}-[0-9a-f]{8}\.nfsnap)")))
      << entries[0];
  CliRun second = Newsflow(process);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out, first.out);
  EXPECT_EQ(second.err.find("warning"), std::string::npos) << second.err;
}

TEST(CompileTaxonomyCliTest, BrokenTaxonomyOrMissingOutputIsAUsageError) {
  const std::string dir = ::testing::TempDir() + "/compile_broken_taxonomy";
  std::system(("rm -rf " + dir + " && mkdir -p " + dir + "/entities " + dir + "/topics").c_str());
  std::ofstream(dir + "/taxonomy.yaml")
      << "version: \"x\"\nentities: [\"entities/*.yaml\"]\ntopics: [\"topics/*.yaml\"]\n";
  std::ofstream(dir + "/entities/e.yaml") << "entities: [";
  CliRun broken = Newsflow("compile-taxonomy " + dir + " -o " + dir + "/out.nfsnap");
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_NE(broken.err.find("invalid taxonomy"), std::string::npos) << broken.err;
  EXPECT_FALSE(std::filesystem::exists(dir + "/out.nfsnap"));
  CliRun no_output = Newsflow("compile-taxonomy " + dir);
  EXPECT_EQ(no_output.exit_code, 2);
  EXPECT_NE(no_output.err.find("--output is required"), std::string::npos) << no_output.err;
}

}  // namespace
}  // namespace newsflow
