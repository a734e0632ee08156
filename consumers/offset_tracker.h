// OffsetTracker: which offset of one partition may be committed (at-least-once bookkeeping).
//
// The poll thread calls Begin(offset) for every record it dispatches, in the partition's order
// (offsets increase but need not be contiguous: compaction and transaction markers leave gaps).
// When every output of a record has been acknowledged by the broker, Complete(offset) is
// called, in any order. Committable() is the offset to commit (Kafka convention: the next
// offset to read): the smallest offset still in flight, or, when nothing is in flight, the
// offset after the highest one begun. So offset N is committed only when every record up to N
// has completed — "highest contiguous completed offset + 1".
//
// A record that is never completed (a permanent delivery failure) holds the committable offset
// back forever: that is the intended "nothing lost" behaviour (see consumers/README.md).
//
// Thread-safety: none; the owner (Engine) serialises calls with a mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>

namespace newsflow::consumers {

class OffsetTracker {
 public:
  // Records that `offset` was dispatched. Offsets must increase; a smaller or equal offset
  // (a re-delivery after a seek) returns false and is ignored.
  bool Begin(int64_t offset);

  // Marks `offset` done. Returns false for an offset that is not in flight (double completion
  // or never begun).
  bool Complete(int64_t offset);

  // The offset to commit, or nullopt when nothing was ever begun.
  std::optional<int64_t> Committable() const;

  size_t InFlight() const { return in_flight_.size(); }
  // Highest offset passed to Begin(), or -1.
  int64_t HighestBegun() const { return highest_begun_; }

 private:
  std::set<int64_t> in_flight_;
  int64_t highest_begun_ = -1;
};

}  // namespace newsflow::consumers
