// Helpers for tests: reading fixtures, locating the dev corpus, building raw records.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "processors/core/document.h"
#include "processors/core/pipeline.h"

namespace newsflow::testing {

// Absolute path of a file in the source tree, e.g. SourcePath("tests/data/seed.txt").
std::string SourcePath(std::string_view relative);

// Whole file contents; aborts the test binary with a message if unreadable.
std::string ReadFile(const std::string& path);

// The labelled dev corpus (../shared/corpus/dev/articles.jsonl relative to the repo, or
// $NEWSFLOW_DEV_CORPUS), or nullopt when absent: tests then GTEST_SKIP().
std::optional<std::string> DevCorpusPath();

// Every file of the dev corpus: the `articles*.jsonl` files of the folder of DevCorpusPath()
// (sorted; $NEWSFLOW_DEV_CORPUS may name one file or a folder). Empty when absent.
std::vector<std::string> DevCorpusFiles();

// The story set (../shared/corpus/stories/articles.jsonl, or $NEWSFLOW_STORY_CORPUS), or
// nullopt when absent: tests then GTEST_SKIP().
std::optional<std::string> StoryCorpusPath();

// A RawRecord holding `value`, from an offline file origin.
schemas::RawRecord MakeRecord(std::string value, std::string content_type = "");

// Runs `pipeline` over every line of `files` (JSON records of an offline origin, the clock at 0)
// and calls `fn` with each document it processed without error; returns how many that was.
// For corpus-wide equivalence tests ("the new code gives what the reference gives").
int ForEachProcessedArticle(const std::vector<std::string>& files, const core::Pipeline& pipeline,
                            const std::function<void(core::Document&)>& fn);

}  // namespace newsflow::testing
