// SWAR (SIMD within a register) byte tests for the scanners' ASCII fast paths: eight bytes of
// text tested with a few 64-bit operations instead of one branch each.
#pragma once

#include <cstdint>
#include <cstring>

namespace newsflow::normalize::swar {

constexpr uint64_t kOneBytes = 0x0101010101010101;
constexpr uint64_t kHighBits = 0x8080808080808080;

// The eight bytes at p (unaligned), first byte in the low bits.
inline uint64_t Load8(const void* p) {
  uint64_t v = 0;
  std::memcpy(&v, p, 8);
  return v;
}

// Bytes of `v` strictly between `lo` and `hi` (0 <= lo <= 127, 0 <= hi <= 128) get their high
// bit set, all others 0. Exact per byte: each byte is computed from its low 7 bits, no carry
// crosses into the next byte, and bytes >= 0x80 are never in range.
constexpr uint64_t BytesBetween(uint64_t v, uint64_t lo, uint64_t hi) {
  const uint64_t low7 = v & (kOneBytes * 127);
  return (kOneBytes * (127 + hi) - low7) & ~v & (low7 + kOneBytes * (127 - lo)) & kHighBits;
}

// Number of bytes of `mask` with their high bit set, for a mask of high bits only (such as
// BytesBetween() gives): the eight bits gathered by one multiply. std::popcount is a call into
// libgcc on the baseline x86-64 target (no POPCNT instruction), and cost more than this.
constexpr int CountHighBits(uint64_t mask) {
  return static_cast<int>(((mask >> 7) * kOneBytes) >> 56);
}

// Number of set bits of a 32-bit value, for the same reason (std::popcount is a libgcc call
// here): pairs, nibbles and bytes summed in place, the four byte sums added by one multiply.
constexpr int PopCount32(uint32_t v) {
  v = v - ((v >> 1) & 0x55555555u);
  v = (v & 0x33333333u) + ((v >> 2) & 0x33333333u);
  v = (v + (v >> 4)) & 0x0F0F0F0Fu;
  return static_cast<int>((v * 0x01010101u) >> 24);
}

}  // namespace newsflow::normalize::swar
