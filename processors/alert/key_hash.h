#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace newsflow::alert {

// A hash for the alert stage's maps of short strings (rule terms, surge keys): the size and the
// first and last 8 bytes (4 below 8), mixed. std::hash (murmur over every byte) was most of a
// lookup's cost there; the maps compare whole keys, so a key that only shares these bytes with
// another shares a bucket, nothing more.
struct ShortKeyHash {
  size_t operator()(std::string_view key) const {
    const size_t n = key.size();
    uint64_t a = 0, b = 0;
    if (n >= 8) {
      __builtin_memcpy(&a, key.data(), 8);
      __builtin_memcpy(&b, key.data() + n - 8, 8);
    } else if (n >= 4) {
      uint32_t x, y;
      __builtin_memcpy(&x, key.data(), 4);
      __builtin_memcpy(&y, key.data() + n - 4, 4);
      a = x;
      b = y;
    } else if (n > 0) {
      __builtin_memcpy(&a, key.data(), n);
    }
    const uint64_t h = (a * 0x9E3779B97F4A7C15ull) ^ (b * 0xC2B2AE3D27D4EB4Full) ^
                       (static_cast<uint64_t>(n) * 0x165667B19E3779F9ull);
    return static_cast<size_t>(h ^ (h >> 29));
  }
};

}  // namespace newsflow::alert
