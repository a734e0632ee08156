// MockCluster: an in-process Kafka-protocol broker (librdkafka's mock cluster) for
// `newsflow demo` and tests that need a broker but not a real one. It speaks enough of the
// protocol for producers, consumer groups and idempotence; it is not a full Kafka (no
// persistence, simplified group coordination).
//
// Lifetime: the cluster lives inside a dedicated librdkafka handle owned by this object;
// clients connected to it must be closed before it is destroyed.
#pragma once

#include <memory>
#include <string>

#include "schemas/result.h"

namespace newsflow::consumers {

class MockCluster {
 public:
  static Result<std::unique_ptr<MockCluster>> Create(int brokers);
  ~MockCluster();
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  // Bootstrap servers of the mock brokers ("127.0.0.1:port,...").
  const std::string& bootstraps() const { return bootstraps_; }
  Status CreateTopic(const std::string& name, int partitions);

 private:
  MockCluster() = default;
  struct State;
  std::unique_ptr<State> state_;
  std::string bootstraps_;
};

}  // namespace newsflow::consumers
