// Flat byte images of arrays: how the compiled taxonomy's tables are laid out so that they can
// be used in place, from memory the process built or from a snapshot file mapped with mmap
// (snapshot.h). The Matcher always matches from such an image (it writes its own after Build()),
// so the YAML path and the snapshot path run the same code on the same bytes.
//
// Layout of an image (every number little-endian as the host writes it; the snapshot header
// records the byte order and a reader on another order rejects the file):
//   u64 entry_count
//   entry_count x {u64 offset, u64 size}   offset from the image start, size in bytes
//   the entries' bytes, each starting at an 8-byte-aligned offset, zero padding in between
// Entries are read back in the order they were written: the order is the format (bump
// kSnapshotFormatVersion in snapshot.h when it changes). Element types are trivially copyable
// structs with no padding bytes (static_asserts where they are declared), so an image's bytes
// are a function of its content and a checksum over them is stable.
//
// Why by hand: no Debian-packaged library (FlatBuffers, Cap'n Proto) is used by the project,
// and what is needed is only "arrays at known offsets" over memory it already owns; a schema
// compiler would add a build step for a dozen flat arrays.
//
// Threading: an ImageReader's spans are read-only views; they stay valid while the memory they
// point into lives (the caller keeps it alive).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace newsflow::tag {

class ImageWriter {
 public:
  template <typename T>
  void Array(const T* data, size_t count) {
    static_assert(std::is_trivially_copyable_v<T>);
    entries_.push_back({reinterpret_cast<const char*>(data), count * sizeof(T)});
  }
  template <typename T>
  void Array(const std::vector<T>& v) {
    Array(v.data(), v.size());
  }
  void Bytes(std::string_view s) { entries_.push_back({s.data(), s.size()}); }
  // A scalar is an entry of one u64 (kept in the writer until Finish()).
  void Scalar(uint64_t v) {
    scalars_.push_back(std::make_unique<uint64_t>(v));
    Array(scalars_.back().get(), 1);
  }
  // The image, in 8-byte words (so that it is aligned for every element type used).
  std::vector<uint64_t> Finish() const {
    size_t offset = 8 + entries_.size() * 16;
    std::vector<std::pair<uint64_t, uint64_t>> table;
    for (const auto& e : entries_) {
      table.push_back({offset, e.second});
      offset += (e.second + 7) / 8 * 8;
    }
    std::vector<uint64_t> words(offset / 8, 0);
    char* base = reinterpret_cast<char*>(words.data());
    words[0] = entries_.size();
    for (size_t i = 0; i < table.size(); ++i) {
      words[1 + 2 * i] = table[i].first;
      words[2 + 2 * i] = table[i].second;
      if (table[i].second > 0)
        std::memcpy(base + table[i].first, entries_[i].first, table[i].second);
    }
    return words;
  }

 private:
  std::vector<std::pair<const char*, size_t>> entries_;
  std::vector<std::unique_ptr<uint64_t>> scalars_;
};

class ImageReader {
 public:
  // `image` must be 8-byte aligned. Check ok() after reading every entry.
  explicit ImageReader(std::span<const std::byte> image) : image_(image) {
    if (image.size() < 8 || reinterpret_cast<uintptr_t>(image.data()) % 8 != 0) {
      Fail("image too small or misaligned");
      return;
    }
    count_ = Word(0);
    if (count_ > (image.size() - 8) / 16) Fail("entry table larger than the image");
  }
  template <typename T>
  std::span<const T> Array() {
    static_assert(std::is_trivially_copyable_v<T>);
    uint64_t offset = 0;
    uint64_t size = 0;
    if (!Next(&offset, &size)) return {};
    if (size % sizeof(T) != 0 || offset % alignof(T) != 0) {
      Fail("entry " + std::to_string(next_ - 1) + " is not an array of its type");
      return {};
    }
    return {reinterpret_cast<const T*>(image_.data() + offset), size / sizeof(T)};
  }
  std::string_view Bytes() {
    uint64_t offset = 0;
    uint64_t size = 0;
    if (!Next(&offset, &size)) return {};
    return {reinterpret_cast<const char*>(image_.data() + offset), size};
  }
  uint64_t Scalar() {
    auto s = Array<uint64_t>();
    if (ok() && s.size() != 1) Fail("entry " + std::to_string(next_ - 1) + " is not a scalar");
    return ok() ? s[0] : 0;
  }
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  // Every entry was read (a reader that stops early has the wrong format).
  bool AtEnd() const { return next_ == count_; }
  void Fail(const std::string& what) {
    if (error_.empty()) error_ = what;
  }

 private:
  uint64_t Word(size_t i) const {
    uint64_t v;
    std::memcpy(&v, image_.data() + 8 * i, 8);
    return v;
  }
  bool Next(uint64_t* offset, uint64_t* size) {
    if (!ok()) return false;
    if (next_ >= count_) {
      Fail("fewer entries than expected");
      return false;
    }
    *offset = Word(1 + 2 * next_);
    *size = Word(2 + 2 * next_);
    ++next_;
    if (*offset > image_.size() || *size > image_.size() - *offset) {
      Fail("entry " + std::to_string(next_ - 1) + " lies outside the image");
      return false;
    }
    return true;
  }

  std::span<const std::byte> image_;
  uint64_t count_ = 0;
  uint64_t next_ = 0;
  std::string error_;
};

}  // namespace newsflow::tag
