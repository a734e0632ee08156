// SortSmall: the sort of the story store's short per-article lists (story_store.cc).
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <utility>

namespace newsflow::story {

// Sorts v[0, n) by `less`: an insertion sort inline for the few values of one article's
// signature parts (about 5 entities, 3 topics, 5 numbers; the entities' scan order), std::sort past
// 16. For 16 values or fewer libstdc++'s std::sort is an insertion sort too (its introsort
// loop starts above 16), which keeps equal values in their order as this one does: the same
// order as std::sort, ties included. (std::sort's call, its set-up and the memmove of its
// insertion step cost more than the moves here.)
template <typename T, typename Less = std::less<>>
void SortSmall(T* v, size_t n, Less less = {}) {
  if (n > 16) {
    std::sort(v, v + n, less);
    return;
  }
  for (size_t i = 1; i < n; ++i) {
    T x = std::move(v[i]);
    size_t j = i;
    for (; j > 0 && less(x, v[j - 1]); --j) v[j] = std::move(v[j - 1]);
    v[j] = std::move(x);
  }
}

}  // namespace newsflow::story
