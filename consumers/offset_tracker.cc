#include "consumers/offset_tracker.h"

namespace newsflow::consumers {

bool OffsetTracker::Begin(int64_t offset) {
  if (offset <= highest_begun_ || offset < 0) return false;
  highest_begun_ = offset;
  in_flight_.insert(offset);
  return true;
}

bool OffsetTracker::Complete(int64_t offset) { return in_flight_.erase(offset) == 1; }

std::optional<int64_t> OffsetTracker::Committable() const {
  if (!in_flight_.empty()) return *in_flight_.begin();
  if (highest_begun_ < 0) return std::nullopt;
  return highest_begun_ + 1;
}

}  // namespace newsflow::consumers
