// Helpers for tests: reading fixtures, locating the dev corpus, building raw records.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "processors/core/document.h"

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

}  // namespace newsflow::testing
