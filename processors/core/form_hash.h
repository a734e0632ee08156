// FormHash: the 64-bit hash of a token form (folded form, bare form, stem) that the tag stage's
// matcher indexes its tables by (processors/tag/matcher.h) and the normalize stage's stem memo
// is keyed by (processors/normalize/languages.cc). One function for both, so that normalize can
// hand each token's folded-form hash to the tag stage (core::Document::token_hashes) and the
// form is hashed once per article instead of twice.
//
// Written by hand rather than taken from xxHash: words are short (a dozen bytes), and two
// overlapping loads plus two 64x64->128-bit multiply-folds cost about a third of an XXH3 call
// on them. Good enough for tables whose keys are compared on a hash match anyway (it is not a
// cryptographic or DoS-resistant hash).
//
// Contract: a pure function of the bytes, the same on every build of this format: taxonomy
// snapshots store these hashes and check the function against a stored probe when loaded
// (processors/tag/snapshot.cc), so changing it invalidates every snapshot.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace newsflow::core {

namespace form_hash_internal {

__extension__ using U128 = unsigned __int128;

// 64x64 -> 128-bit multiply folded to 64 bits: every input bit reaches the middle output bits.
inline uint64_t MulFold(uint64_t a, uint64_t b) {
  const U128 r = static_cast<U128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline uint64_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline constexpr uint64_t kSeed0 = 0x243F6A8885A308D3ull;  // digits of pi
inline constexpr uint64_t kSeed1 = 0x9E3779B97F4A7C15ull;  // golden ratio

}  // namespace form_hash_internal

// The hash of the `n` bytes at `p` (any bytes; n may be 0).
inline uint64_t FormHash(const char* p, size_t n) {
  using namespace form_hash_internal;
  // Up to 16 bytes: two overlapping loads cover them without a byte loop, and two
  // multiply-folds mix them. Longer forms fold 16 bytes per step.
  uint64_t a = 0;
  uint64_t b = 0;
  uint64_t seed = kSeed0;
  if (n <= 16) {
    if (n >= 4) {
      const size_t mid = (n >> 3) << 2;  // 0 below 8 bytes, else 4
      a = (Load32(p) << 32) | Load32(p + mid);
      b = (Load32(p + n - 4) << 32) | Load32(p + n - 4 - mid);
    } else if (n > 0) {
      const auto* u = reinterpret_cast<const unsigned char*>(p);
      a = (uint64_t{u[0]} << 16) | (uint64_t{u[n >> 1]} << 8) | u[n - 1];
    }
  } else {
    const char* q = p;
    size_t left = n;
    while (left > 16) {
      seed = MulFold(Load64(q) ^ kSeed1, Load64(q + 8) ^ seed);
      q += 16;
      left -= 16;
    }
    a = Load64(q + left - 16);
    b = Load64(q + left - 8);
  }
  return MulFold(kSeed1 ^ n, MulFold(a ^ kSeed1, b ^ seed));
}

// FormHash as the hash of a std::unordered_map of short strings (the alert stage's rule terms and
// surge series): std::hash (murmur over every byte) cost several times as much on them.
struct FormHasher {
  size_t operator()(std::string_view s) const { return FormHash(s.data(), s.size()); }
};

// FormHash as a call, for loops that mostly read the hashes the normalizer handed on
// (core::Document::token_hashes) and hash a form only where one is missing: inlined into such a
// loop, FormHash's body crowds its registers (the story signature's word loop, the alert term
// scan).
[[gnu::noinline]] inline uint64_t FormHashOutOfLine(const char* p, size_t n) {
  return FormHash(p, n);
}

// Whether the n bytes at a and b are equal: the check that confirms a FormHash match (the stem
// memo's keys, the alert stage's outlet and language sets). memcmp without a call for short
// forms: overlapping 8- or 4-byte loads, a byte at a time below 4.
inline bool EqualBytes(const char* a, const char* b, size_t n) {
  using form_hash_internal::Load32;
  using form_hash_internal::Load64;
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8) {
      if (Load64(a + i) != Load64(b + i)) return false;
    }
    return Load64(a + n - 8) == Load64(b + n - 8);
  }
  if (n >= 4) return Load32(a) == Load32(b) && Load32(a + n - 4) == Load32(b + n - 4);
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

}  // namespace newsflow::core
