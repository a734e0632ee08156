#!/usr/bin/env bash
# Instructions per article, by stage and by function, of the whole default pipeline as
# pipeline_bench runs it (decode, normalize, tag, score, encode on the dev corpus), counted by
# callgrind. Instruction counts do not depend on the load of the machine, so this is the figure
# to compare two builds with on the shared VM (bench/README.md, "Throughput to 30 k").
#   bench/pipeline_bench_callgrind.sh [PIPELINE_BENCH] [TOP] [FILTER]
# PIPELINE_BENCH defaults to build/release/bench/pipeline_bench; TOP (default 25) is the number
# of functions listed; FILTER (default DefaultTaxonomy: the default pipeline) selects the
# benchmark, e.g. FiveStages for decode, normalize, tag, score, encode. Only `core::Pipeline::Process` is measured
# (--toggle-collect), so set-up (taxonomy compile, corpus load) is left out. Takes ~2-5 minutes.
# CALLGRIND_OUT=FILE keeps callgrind's output (for callgrind_annotate).
#
# The number of passes over the corpus depends on Google Benchmark's timing (MinTime), and the
# first pass differs from the others: every distinct word is a stem-memo miss (a Snowball call),
# and the story store fills. So the normalize stage is also given without those misses
# ("steady state": minus ThreadStemmers::StemAndRemember, which only runs on a miss), the figure
# to compare between runs; the pipeline total and the story stage depend on the passes.
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
bench="${1:-$root/build/release/bench/pipeline_bench}"
top="${2:-25}"
filter="${3:-DefaultTaxonomy}"
work="$(mktemp -d)"
trap 'if [[ -n "${CALLGRIND_OUT:-}" ]]; then cp "$work/cg.out" "$CALLGRIND_OUT"; fi; rm -rf "$work"' EXIT
export NEWSFLOW_DEV_CORPUS="${NEWSFLOW_DEV_CORPUS:-$root/../shared/corpus/dev/articles.jsonl}"
valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" \
  --toggle-collect='newsflow::core::Pipeline::Process(*' \
  "$bench" --benchmark_filter="$filter" > "$work/bench.log" 2> "$work/valgrind.log"
python3 - "$work/cg.out" "$top" "$(grep -c . "$NEWSFLOW_DEV_CORPUS")" "$root/bench" <<'PY'
import re, sys
sys.path.insert(0, sys.argv[-1])
from callgrind_costs import load, print_top
path, top, corpus = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
self_cost, incl, calls = load(path)
articles = max(calls.get(f, 0) for f in calls if "Pipeline::Process" in f)
total = sum(self_cost.values())
print(f"articles: {articles}, instructions in Pipeline::Process: {total:,} "
      f"= {total / articles / 1000:.1f} K per article")
print("\nstage (inclusive, K instructions per article):")
stages = [(f, v) for f, v in incl.items() if re.search(r"::\w+Stage::Process\(", f)]
for f, v in sorted(stages, key=lambda x: -x[1]):
    print(f"  {v / articles / 1000:8.1f}  {f.split('(')[0]}")
misses = sum(v for f, v in incl.items() if "StemAndRemember" in f)
norm = sum(v for f, v in incl.items() if "NormalizeStage::Process(" in f)
print(f"\nnormalize, steady state (minus {misses / articles / 1000:.1f} K of stem-memo misses): "
      f"{(norm - misses) / articles / 1000:.1f} K per article; passes over the corpus: "
      f"{articles / corpus:.1f}")
print_top(self_cost, incl, articles, top, 1)
PY
