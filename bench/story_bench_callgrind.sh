#!/usr/bin/env bash
# Instructions per new article of the story and alert stages at 100,000 open stories, counted by
# callgrind over story_bench's `WithStoryAlert100kOpen/new_texts:1` (the case issue 14's "at most
# 15 %" target is judged on; bench/README.md, "Stories and alerts"). Instruction counts do not
# depend on the machine's load, so this is the figure to compare two builds with.
#   bench/story_bench_callgrind.sh [STORY_BENCH] [TOP]
# STORY_BENCH defaults to build/release/bench/story_bench (copy it elsewhere first if you keep
# building); TOP (default 30) is the number of functions listed. Only the three measured calls are
# counted (--toggle-collect): story::ComputeSignature, story::StoryStage::Apply (the store's
# Assign and the story.v1 record) and alert::AlertStage::Process; the store's fill (100,000
# stories, ~6 minutes under valgrind), the other stages and the bench's own salting are left
# out. Takes ~10-15 minutes. CALLGRIND_OUT=FILE keeps callgrind's output (for
# callgrind_annotate); CALLGRIND_IN=FILE summarises such a kept file instead of running the bench
# (no fill_check then); REST_K=<K instructions per article of decode..encode without the two
# stages, e.g. from `bench/pipeline_bench_callgrind.sh ... FiveStages`> adds the share.
#
# Per article = per call of ComputeSignature (one per article in the new_texts run). The
# averages move by a few % with the number of passes over the corpus Google Benchmark makes
# (which articles are averaged): compare large differences, or runs with the same pass count.
# NEWSFLOW_STORY_BENCH_ITERATIONS=N (passed on to story_bench) makes that exactly N articles, the
# same ones in every run: use it to compare two builds (e.g. 2000).
# CACHE_SIM=1 adds callgrind's cache simulation (L1 32 KB, last level CACHE_LL, default 32 MB
# "33554432,16,64": this machine's L3) and prints the last-level read and write misses per new
# article and the functions with the most: the stages' time at 100,000 open stories goes to
# those misses, which instruction counts do not show (about twice as slow; bench/README.md,
# "Session 21"). The simulation sees the whole run (fill and other stages too), so the cache
# holds what the rest of the pipeline left in it.
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
bench="${1:-$root/build/release/bench/story_bench}"
top="${2:-30}"
work="$(mktemp -d)"
trap 'if [[ -n "${CALLGRIND_OUT:-}" ]]; then cp "$work/cg.out" "$CALLGRIND_OUT"; fi; rm -rf "$work"' EXIT
export NEWSFLOW_DEV_CORPUS="${NEWSFLOW_DEV_CORPUS:-$root/../shared/corpus/dev/articles.jsonl}"
if [[ -n "${CALLGRIND_IN:-}" ]]; then
  cp "$CALLGRIND_IN" "$work/cg.out"
else
  cache=()
  if [[ "${CACHE_SIM:-0}" == "1" ]]; then
    cache=(--cache-sim=yes --I1=32768,8,64 --D1=32768,8,64 --LL="${CACHE_LL:-33554432,16,64}")
  fi
  valgrind --tool=callgrind "${cache[@]}" --callgrind-out-file="$work/cg.out" \
    --toggle-collect='newsflow::story::ComputeSignature(*' \
    --toggle-collect='newsflow::story::StoryStage::Apply(*' \
    --toggle-collect='newsflow::alert::AlertStage::Process(*' \
    "$bench" --benchmark_filter='WithStoryAlert100kOpen/new_texts:1' \
    > "$work/bench.log" 2> "$work/valgrind.log"
  # fill_check: the 100,000 fill assignments' hash (same store decisions <=> same value).
  grep -o 'fill_check=[^ ]*' "$work/bench.log" || true
fi
python3 - "$work/cg.out" "$top" "${REST_K:-}" "$root/bench" <<'PY'
import re, sys
sys.path.insert(0, sys.argv[-1])
from callgrind_costs import load, print_top
path, top, rest = sys.argv[1], int(sys.argv[2]), sys.argv[3]
self_cost, incl, calls = load(path)
articles = max(v for f, v in calls.items() if "story::ComputeSignature(" in f)
def k(pattern):
    return sum(v for f, v in incl.items() if re.search(pattern, f)) / articles / 1000
stages = [("signature (story::ComputeSignature)", r"story::ComputeSignature\("),
          ("  quotation scan (QuoteScan::Extend)", r"QuoteScan::Extend\("),
          ("  SimHash (SimHashOf)", r"story::SimHashOf\("),
          ("story store + story.v1 (StoryStage::Apply)", r"story::StoryStage::Apply\("),
          ("  story.v1 record (StoryStore::RecordLocked)", r"StoryStore::RecordLocked"),
          ("alert (AlertStage::Process)", r"alert::AlertStage::Process\("),
          ("  term index (TermIndex::FindFrom)", r"alert::TermIndex::FindFrom\(")]
print(f"new articles: {articles}")
print("K instructions per new article, inclusive:")
for label, pattern in stages:
    print(f"  {k(pattern):8.2f}  {label}")
total = sum(k(p) for label, p in stages if not label.startswith(" "))
print(f"  {total:8.2f}  story + alert")
if rest:
    print(f"  share of the rest of the pipeline ({float(rest):.1f} K): {total / float(rest):.3f}")
print_top(self_cost, incl, articles, top, 2)
with open(path) as f:
    events = next((l.split()[1:] for l in f if l.startswith("events:")), [])
if "DLmr" in events:
    reads, _, _ = load(path, "DLmr")
    writes, _, _ = load(path, "DLmw")
    print(f"\nlast-level misses per new article: read {sum(reads.values()) / articles:.1f}, "
          f"write {sum(writes.values()) / articles:.1f}; by function (read, write):")
    both = {f: reads.get(f, 0) + writes.get(f, 0) for f in set(reads) | set(writes)}
    for f, v in sorted(both.items(), key=lambda x: -x[1])[:12]:
        print(f"  {reads.get(f, 0) / articles:6.1f} {writes.get(f, 0) / articles:6.1f}  {f[:110]}")
PY
