// StoryStateSync: the shared story state of several `newsflow run` instances, through Kafka.
//
// Every instance writes each story's new state to the compacted news.stories topic (key = story
// id, schema story.v1) as an ordinary output of the record that changed it (Output kStory: the
// same delivery and commit path as enriched events). This class is the other half: it reads
// news.stories IN FULL — every partition, from the beginning, with assign() rather than as a
// member of the consumer group, like a Kafka Streams global table — and hands every record to
// `apply` (the app applies it to its StoryStore: story_state.h in processors/story says how
// states merge).
//
//   Restore()  at start-up, before the instance consumes any input: reads up to the high
//              watermark each partition had when Restore() began (bounded by a timeout) and
//              returns how many records and how long. The restored index then matches what
//              the topic held.
//   Start()    then a background thread keeps tailing the topic: other instances' updates
//              (and this instance's own, which merge as no-ops) are applied as they arrive.
//   Publish()  produces a state that changed because of a merge (two instances opened the
//              same story: the lower id wins and the other gets merged_into), fire-and-forget
//              on the class's own producer; the merge itself is deterministic, so instances
//              that miss it compute the same one when they see both stories.
//
// Consistency this gives (consumers/README.md): eventual. An instance sees another's story
// after the record's round trip through the broker (milliseconds to the producer's linger
// plus the tail poll, which fetches in batches: fetch.min.bytes 64 KiB or fetch.wait.max.ms
// 100 ms, whichever comes first, so up to ~0.1 s); until then both may open the same story,
// which the merge resolves. Why batches: fetching each state as it arrives cost the broker one
// fetch request per record (on a shared test broker, a third of all requests), and the
// broker's extra work showed up in the input's end-to-end latency (bench/README.md, "Tail
// latency"). A
// story's article count is exact once all records are read (per-writer counters), not a sum
// of racing writes.
//
// The consumer uses group.id "<kafka.group_id>.stories.<instance>" only because librdkafka's
// KafkaConsumer requires one; it never subscribes or commits. Security and other
// pass-through properties of kafka.consumer / kafka.producer apply.
//
// Threading: Restore() and Start()/Stop() from one thread; `apply` runs on the caller's thread
// during Restore() and on the tail thread afterwards. Publish() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "consumers/config.h"
#include "consumers/log.h"
#include "schemas/result.h"

namespace newsflow::consumers {

struct RestoreResult {
  int64_t records = 0;
  int64_t partitions = 0;
  double seconds = 0.0;
  bool complete = true;  // false: the timeout hit before every partition's end
};

class StoryStateSync {
 public:
  using Apply = std::function<void(std::string_view key, std::string_view value)>;

  static Result<std::unique_ptr<StoryStateSync>> Create(const KafkaConfig& kafka,
                                                        const std::string& instance_id, Apply apply,
                                                        Logger* log);
  ~StoryStateSync();
  StoryStateSync(const StoryStateSync&) = delete;
  StoryStateSync& operator=(const StoryStateSync&) = delete;

  // Reads the topic from the beginning up to its current end. A topic that does not exist yet
  // restores nothing (it is created by the first write, or by the operator, compacted).
  // `stop` (optional) ends the reading early, as the timeout does (complete = false).
  Result<RestoreResult> Restore(std::chrono::milliseconds timeout,
                                const std::atomic<bool>* stop = nullptr);
  // Tails the topic in a background thread from where Restore() stopped.
  void Start();
  void Stop();  // joins the thread (idempotent)
  void Publish(const std::string& key, const std::string& value);

  // Set when a client reported an authentication failure since the last successful metadata
  // request: the librdkafka detail (never the credentials).
  std::optional<std::string> AuthFailure() const;
  int64_t applied() const { return applied_.load(); }
  int64_t malformed() const { return malformed_.load(); }

 private:
  StoryStateSync() = default;
  bool ConsumeOne(int timeout_ms);
  // Hands a fetched record with a value to apply_ (a tombstone or empty value is skipped);
  // true when it was applied.
  bool ApplyRecord(const RdKafka::Message& msg);
  Status AssignAll();

  class Events;
  struct Handles;
  std::unique_ptr<Handles> handles_;
  std::string topic_;
  Apply apply_;
  Logger* log_ = nullptr;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> applied_{0};
  std::atomic<int64_t> malformed_{0};
  std::atomic<bool> auth_failed_{false};
  mutable std::mutex auth_mu_;
  std::string auth_error_;
  bool assigned_ = false;
  std::thread thread_;
};

}  // namespace newsflow::consumers
