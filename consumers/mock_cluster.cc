#include "consumers/mock_cluster.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

namespace newsflow::consumers {

struct MockCluster::State {
  // Destruction order: the cluster before the handle that hosts it.
  rd_kafka_t* handle = nullptr;
  rd_kafka_mock_cluster_t* cluster = nullptr;
  ~State() {
    if (cluster != nullptr) rd_kafka_mock_cluster_destroy(cluster);
    if (handle != nullptr) rd_kafka_destroy(handle);
  }
};

Result<std::unique_ptr<MockCluster>> MockCluster::Create(int brokers) {
  std::unique_ptr<MockCluster> mc(new MockCluster());
  mc->state_ = std::make_unique<State>();
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof(errstr));
  mc->state_->handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (mc->state_->handle == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Status(Code::kInternal, "mock", std::string("rd_kafka_new: ") + errstr);
  }
  mc->state_->cluster = rd_kafka_mock_cluster_new(mc->state_->handle, brokers);
  if (mc->state_->cluster == nullptr) {
    return Status(Code::kInternal, "mock", "rd_kafka_mock_cluster_new failed");
  }
  mc->bootstraps_ = rd_kafka_mock_cluster_bootstraps(mc->state_->cluster);
  return mc;
}

MockCluster::~MockCluster() = default;

Status MockCluster::CreateTopic(const std::string& name, int partitions) {
  rd_kafka_resp_err_t err =
      rd_kafka_mock_topic_create(state_->cluster, name.c_str(), partitions, 1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status(Code::kInternal, "mock", "create topic " + name + ": " + rd_kafka_err2str(err));
  }
  return Status::Ok();
}

}  // namespace newsflow::consumers
