#!/usr/bin/env bash
# Whole-process benchmark of `newsflow process`: the figure a user sees (issue 17, item 4).
#
#   bench/process_bench.sh [BINARY[=ARGS] ...]
#
# Each BINARY (default: build/release/app/newsflow) is run on the same input, pinned to one core
# (taskset), RUNS times, the binaries alternating (A B A B ...) so that a change in the machine's
# load hits every binary alike. `BINARY=ARGS` adds arguments to that binary's command line
# (e.g. `build/release/app/newsflow=--taxonomy-snapshot /tmp/tax.nfsnap`), so one binary can be
# compared with itself under two settings.
#
# Measured per run, wall clock (bash EPOCHREALTIME around the process):
#   start-up  `newsflow process` on ONE article (the first dev-corpus article): process start,
#             configuration, taxonomy, pipeline, one record, exit;
#   corpus    `newsflow process` on the dev corpus (every .jsonl file under
#             ../shared/corpus/dev) repeated COPIES times (ids made distinct per copy):
#             articles/s and MB/s (input file bytes), both on the whole wall time, and the
#             articles/s once the median start-up is subtracted; peak RSS from /usr/bin/time.
# Medians over the runs are printed per binary, with the load average before and after.
# A shared machine is noisy: compare binaries only within one invocation, and use callgrind
# instruction counts as the repeatable complement (bench/README.md).
#
# Environment: RUNS (5), COPIES (40), CORE (the CPU to pin to, 1), STARTUP_RUNS (5),
# NEWSFLOW_DEV_CORPUS_DIR (../shared/corpus/dev), BENCH_TMP (a temporary directory).
# Without the corpus it prints a message and exits 0 (nothing measured).
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-5}"
copies="${COPIES:-40}"
core="${CORE:-1}"
startup_runs="${STARTUP_RUNS:-5}"
corpus_dir="${NEWSFLOW_DEV_CORPUS_DIR:-$root/../shared/corpus/dev}"

binaries=("$@")
[[ ${#binaries[@]} -eq 0 ]] && binaries=("$root/build/release/app/newsflow")

shopt -s nullglob
corpus_files=("$corpus_dir"/*.jsonl)
if [[ ${#corpus_files[@]} -eq 0 ]]; then
  echo "process_bench: no dev corpus (*.jsonl) under $corpus_dir; nothing measured"
  exit 0
fi
for spec in "${binaries[@]}"; do
  bin="${spec%%=*}"
  [[ -x "$bin" ]] || { echo "process_bench: $bin is not an executable" >&2; exit 2; }
done
pin=()
if command -v taskset > /dev/null && taskset -c "$core" true 2> /dev/null; then
  pin=(taskset -c "$core")
else
  echo "process_bench: taskset -c $core unavailable; runs are not pinned" >&2
fi
timer=()
[[ -x /usr/bin/time ]] && timer=(/usr/bin/time -f '%M')

work="${BENCH_TMP:-$(mktemp -d)}"
mkdir -p "$work"
[[ -z "${BENCH_TMP:-}" ]] && trap 'rm -rf "$work"' EXIT

# The repeated corpus: every copy's ids get a "cN-" prefix so that no two records share an id.
input="$work/corpus.jsonl"
: > "$input"
for ((c = 0; c < copies; ++c)); do
  sed -E "s/^\{\"id\": ?\"/{\"id\": \"c$c-/" "${corpus_files[@]}" >> "$input"
done
one="$work/one.jsonl"
head -n 1 "${corpus_files[0]}" > "$one"
articles=$(wc -l < "$input")
bytes=$(wc -c < "$input")

now() { echo "${EPOCHREALTIME/./}"; }  # microseconds
# run_once SPEC INPUT -> prints "wall_us rss_kb", checks the exit code and the output count.
run_once() {
  local spec="$1" in="$2" bin args t0 t1 rss
  bin="${spec%%=*}"
  args=""
  [[ "$spec" == *=* ]] && args="${spec#*=}"
  t0=$(now)
  # shellcheck disable=SC2086  # ARGS are split on purpose
  if ! "${timer[@]}" -o "$work/rss" "${pin[@]}" "$bin" process -q \
      --processed-at 2026-01-01T00:00:00Z --dead-letter "$work/dead" $args "$in" \
      > "$work/out" 2> "$work/err"; then
    echo "process_bench: $spec failed:" >&2
    cat "$work/err" >&2
    exit 1
  fi
  t1=$(now)
  rss=0
  [[ ${#timer[@]} -gt 0 ]] && rss=$(tail -n 1 "$work/rss")
  local got=$(($(wc -l < "$work/out") + $(wc -l < "$work/dead")))
  if [[ $got -lt $(wc -l < "$in") ]]; then
    echo "process_bench: $spec wrote $got outputs for $(wc -l < "$in") records" >&2
    exit 1
  fi
  echo "$((t1 - t0)) $rss"
}
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

echo "process_bench: $articles articles, $bytes bytes (${copies} copies of ${corpus_files[*]##*/})"
echo "process_bench: pinned: ${pin[*]:-no}; runs: $runs (start-up: $startup_runs per run); $(nproc) CPUs"
echo "process_bench: load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A startup_list corpus_list rss_list startup_rss_list
for ((r = 1; r <= runs; ++r)); do
  for spec in "${binaries[@]}"; do
    for ((s = 0; s < startup_runs; ++s)); do
      read -r us rss < <(run_once "$spec" "$one")
      startup_list[$spec]+="$us "
      startup_rss_list[$spec]+="$rss "
    done
    read -r us rss < <(run_once "$spec" "$input")
    corpus_list[$spec]+="$us "
    rss_list[$spec]+="$rss "
    echo "  run $r: $spec: corpus $(awk -v u="$us" 'BEGIN{printf "%.3f", u / 1e6}') s," \
      "peak RSS $((rss / 1024)) MB"
  done
done
echo "process_bench: load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-60s %10s %10s %12s %12s %8s %10s %10s\n' binary startup_ms su_rss_MB articles/s \
  "excl_startup" MB/s corpus_s rss_MB
for spec in "${binaries[@]}"; do
  su=$(tr ' ' '\n' <<< "${startup_list[$spec]}" | grep . | median)
  su_rss=$(tr ' ' '\n' <<< "${startup_rss_list[$spec]}" | grep . | median)
  co=$(tr ' ' '\n' <<< "${corpus_list[$spec]}" | grep . | median)
  rss=$(tr ' ' '\n' <<< "${rss_list[$spec]}" | grep . | median)
  awk -v s="$spec" -v su="$su" -v co="$co" -v n="$articles" -v b="$bytes" -v rss="$rss" \
    -v surss="$su_rss" 'BEGIN {
      printf "%-60s %10.1f %10.1f %12.0f %12.0f %8.1f %10.3f %10.1f\n", s, su / 1e3,
        surss / 1024, n / (co / 1e6), n / ((co - su) / 1e6), b / co, co / 1e6, rss / 1024 }'
done
