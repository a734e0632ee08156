// Sequencer: releases the results of one partition's records in dispatch order, although
// workers finish them in any order. This is what keeps the order of outputs per input
// partition while N workers process records of the same partition in parallel.
//
// The poll thread numbers each record of a partition 0, 1, 2, ... (Engine does it at dispatch);
// a worker that finishes record `seq` calls Add(seq, result); TakeReady() then returns the
// longest run of results starting at the next sequence number to release, in order.
// Sequence numbers rather than Kafka offsets are used because offsets may have gaps.
//
// Thread-safety: none. Engine holds the partition's release mutex around Add()+TakeReady()
// *and* the hand-over to the sink, so two workers never interleave a partition's outputs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace newsflow::consumers {

template <typename T>
class Sequencer {
 public:
  // Returns false when `seq` was already released or added (a bug in the caller).
  bool Add(uint64_t seq, T item) {
    if (seq < next_) return false;
    return pending_.emplace(seq, std::move(item)).second;
  }

  // Results ready to release, in sequence order (possibly none).
  std::vector<T> TakeReady() {
    std::vector<T> ready;
    for (auto it = pending_.begin(); it != pending_.end() && it->first == next_;) {
      ready.push_back(std::move(it->second));
      it = pending_.erase(it);
      ++next_;
    }
    return ready;
  }

  // Discards everything waiting (the partition was revoked); returns how many.
  size_t Clear() {
    const size_t n = pending_.size();
    pending_.clear();
    return n;
  }

  uint64_t next() const { return next_; }
  size_t waiting() const { return pending_.size(); }

 private:
  uint64_t next_ = 0;
  std::map<uint64_t, T> pending_;
};

}  // namespace newsflow::consumers
