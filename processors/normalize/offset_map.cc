#include "processors/normalize/offset_map.h"

#include <algorithm>

namespace newsflow::normalize {

size_t OffsetMap::FirstEndingAfter(uint32_t out) const {
  auto it = std::upper_bound(pieces_.begin(), pieces_.end(), out,
                             [](uint32_t x, const Piece& p) { return x < p.out_end; });
  return static_cast<size_t>(it - pieces_.begin());
}

size_t OffsetMap::Find(uint32_t out) const {
  const size_t i = FirstEndingAfter(out);
  if (i == pieces_.size() || pieces_[i].out_begin > out) return pieces_.size();
  return i;
}

uint32_t OffsetMap::MapBegin(uint32_t out) const { return BeginIn(Find(out), out); }

uint32_t OffsetMap::MapEnd(uint32_t out) const {
  if (out == 0) return pieces_.empty() ? 0 : pieces_.front().in_begin;
  return EndIn(Find(out - 1), out);
}

OffsetMap OffsetMap::Compose(const OffsetMap& inner) const {
  OffsetMap result;
  result.pieces_.reserve(pieces_.size() + inner.pieces_.size());
  for (const Piece& p : pieces_) {
    if (!p.exact) {
      const uint32_t b = inner.MapBegin(p.in_begin);
      const uint32_t e = p.in_end > p.in_begin ? inner.MapEnd(p.in_end) : b;
      result.AddReplaced(p.out_begin, p.out_end - p.out_begin, b, std::max(b, e));
      continue;
    }
    // Split the exact piece along the inner pieces it spans.
    uint32_t mid = p.in_begin;
    size_t j = inner.Find(mid);
    while (mid < p.in_end && j < inner.pieces_.size()) {
      const Piece& q = inner.pieces_[j];
      const uint32_t stop = std::min(p.in_end, q.out_end);
      const uint32_t out = p.out_begin + (mid - p.in_begin);
      if (q.exact) {
        result.AddExact(out, q.in_begin + (mid - q.out_begin), stop - mid);
      } else {
        result.AddReplaced(out, stop - mid, q.in_begin, q.in_end);
      }
      mid = stop;
      ++j;
    }
  }
  return result;
}

}  // namespace newsflow::normalize
