// OffsetMap: where each byte of a derived text (clean text, HTML-extracted text) came from in
// the text it was derived from, so that tokens found in clean text can report byte offsets into
// the article as it arrived.
//
// The derived text is covered by consecutive pieces. An exact piece was copied byte for byte:
// offset x inside it maps to in_begin + (x - out_begin). A replaced piece was produced by a
// rewrite (NBSP -> space, CRLF -> LF, NFC composition, an HTML entity, a whole HTML text node
// with entities): every offset inside it maps to its in_begin, and a token that ends inside or
// at the end of it ends at its in_end. Deleted input (zero-width characters, collapsed spaces,
// markup) simply has no piece, so a token next to it still maps to its own bytes.
//
// Built append-only by one writer, then read-only: share freely across threads once built.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace newsflow::normalize {

class OffsetMap {
 public:
  struct Piece {
    uint32_t out_begin;
    uint32_t out_end;
    uint32_t in_begin;
    uint32_t in_end;
    bool exact;
  };

  // Output bytes [out, out + len) are a verbatim copy of input bytes [in, in + len). Merges with
  // the previous piece when contiguous on both sides.
  void AddExact(uint32_t out, uint32_t in, uint32_t len) {
    if (len == 0) return;
    if (!pieces_.empty()) {
      Piece& last = pieces_.back();
      if (last.exact && last.out_end == out && last.in_end == in) {
        last.out_end += len;
        last.in_end += len;
        return;
      }
    }
    pieces_.push_back({out, out + len, in, in + len, true});
  }

  // Output bytes [out, out + out_len) replace input bytes [in_begin, in_end).
  void AddReplaced(uint32_t out, uint32_t out_len, uint32_t in_begin, uint32_t in_end) {
    if (out_len == 0) return;
    pieces_.push_back({out, out + out_len, in_begin, in_end, false});
  }

  // Input offset of the first byte of a token starting at output offset `out`.
  uint32_t MapBegin(uint32_t out) const;
  // Input offset just past a token ending at output offset `out` (exclusive end).
  uint32_t MapEnd(uint32_t out) const;

  // Maps a non-decreasing sequence of output offsets -- the words of a text in order, each
  // word's begin and then its end -- by walking the pieces forward instead of searching them:
  // one binary search when created, O(1) amortized per offset after that. Gives exactly what
  // MapBegin()/MapEnd() give. The map must outlive the cursor and not change meanwhile.
  class Cursor {
   public:
    // Every offset looked up must be >= start.
    Cursor(const OffsetMap& map, uint32_t start) : map_(&map), i_(map.FirstEndingAfter(start)) {}
    uint32_t MapBegin(uint32_t out) {
      const size_t i = Seek(out);
      return map_->BeginIn(i, out);
    }
    uint32_t MapEnd(uint32_t out) {
      if (out == 0) return map_->MapEnd(0);
      const size_t i = Seek(out - 1);
      return map_->EndIn(i, out);
    }

    // Whether every offset in [from, to] maps by one shift, their bytes lying in one exact
    // piece (a line that cleaning left alone); sets *shift. `from` is the cursor's start.
    bool UniformShift(uint32_t from, uint32_t to, int64_t* shift) const {
      const std::vector<Piece>& p = map_->pieces_;
      if (i_ >= p.size()) return false;
      const Piece& q = p[i_];
      if (!q.exact || q.out_begin > from || q.out_end < to) return false;
      *shift = static_cast<int64_t>(q.in_begin) - static_cast<int64_t>(q.out_begin);
      return true;
    }

   private:
    size_t Seek(uint32_t out) {
      const std::vector<Piece>& p = map_->pieces_;
      while (i_ < p.size() && p[i_].out_end <= out) ++i_;
      if (i_ == p.size() || p[i_].out_begin > out) return p.size();
      return i_;
    }
    const OffsetMap* map_;
    size_t i_;  // first piece whose out_end is past the last offset looked up
  };

  // Given this map (C -> B) and `inner` (B -> A), the map C -> A.
  OffsetMap Compose(const OffsetMap& inner) const;

  const std::vector<Piece>& pieces() const { return pieces_; }
  void Clear() { pieces_.clear(); }
  void Reserve(size_t n) { pieces_.reserve(n); }

 private:
  // Index of the piece containing output byte `out`, or pieces_.size() if none.
  size_t Find(uint32_t out) const;
  // Index of the first piece whose out_end > out (pieces_.size() if none).
  size_t FirstEndingAfter(uint32_t out) const;
  // MapBegin()/MapEnd() given the piece index Find() returned for out (resp. out - 1).
  uint32_t BeginIn(size_t i, uint32_t out) const {
    if (i == pieces_.size()) {
      // Past the end (or an uncovered gap, which the builders never leave): clamp.
      return pieces_.empty() ? 0 : pieces_.back().in_end;
    }
    const Piece& p = pieces_[i];
    return p.exact ? p.in_begin + (out - p.out_begin) : p.in_begin;
  }
  uint32_t EndIn(size_t i, uint32_t out) const {
    if (i == pieces_.size()) return pieces_.empty() ? 0 : pieces_.back().in_end;
    const Piece& p = pieces_[i];
    return p.exact ? p.in_begin + (out - p.out_begin) : p.in_end;
  }

  std::vector<Piece> pieces_;
};

}  // namespace newsflow::normalize
