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
# Also per run, from /usr/bin/time: the CPU time (user + sys) of start-up, and articles/s over
# the corpus run's CPU time minus the start-up's (cpu_art/s): the cost, which a loaded machine
# disturbs less than the wall figures. A run whose stderr has a warning (e.g. a rejected
# snapshot, which would time the YAML path instead) stops the benchmark.
# Medians over the runs are printed per binary, with the load average before and after.
# A shared machine is noisy: compare binaries only within one invocation, and use callgrind
# instruction counts as the repeatable complement (bench/README.md).
#
# Environment: RUNS (5), COPIES (40), CORE (the CPU to pin to, 1), STARTUP_RUNS (5),
# NEWSFLOW_DEV_CORPUS_DIR (../shared/corpus/dev), BENCH_TMP (a temporary directory),
# RT (0; 1: run newsflow under the SCHED_FIFO real-time class, `chrt -f 10`, needs root): on a
# machine shared with other work the wall figures then show what newsflow itself takes rather
# than its wait for the CPU (say so when quoting them; a busy-loop of its own would hold the
# core, so keep RUNS x COPIES small).
# Without the corpus it prints a message and exits 0 (nothing measured).
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-5}"
copies="${COPIES:-40}"
core="${CORE:-1}"
startup_runs="${STARTUP_RUNS:-5}"
corpus_dir="${NEWSFLOW_DEV_CORPUS_DIR:-$root/../shared/corpus/dev}"
# RT=1: the whole script (so also /usr/bin/time and the other launchers, which would otherwise
# wait for the CPU at normal priority) re-runs under SCHED_FIFO, pinned to the core.
if [[ "${RT:-0}" == 1 && -z "${PROCESS_BENCH_RT_ACTIVE:-}" ]]; then
  if chrt -f 10 taskset -c "$core" true 2> /dev/null; then
    PROCESS_BENCH_RT_ACTIVE=1 exec chrt -f 10 taskset -c "$core" "$0" "$@"
  fi
  echo "process_bench: RT=1 but chrt -f/taskset are not permitted; runs at normal priority" >&2
fi

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

work="${BENCH_TMP:-$(mktemp -d)}"
mkdir -p "$work"
[[ -z "${BENCH_TMP:-}" ]] && trap 'rm -rf "$work"' EXIT
timer=()
[[ -x /usr/bin/time ]] && timer=(/usr/bin/time -f '%M %U %S' -o "$work/rss")

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
# run_once SPEC INPUT -> prints "wall_us rss_kb cpu_us", checks the exit code, that the taxonomy
# loaded without a warning (a rejected snapshot would time the YAML path) and the output count.
run_once() {
  local spec="$1" in="$2" bin args t0 t1 rss cpu
  bin="${spec%%=*}"
  args=""
  [[ "$spec" == *=* ]] && args="${spec#*=}"
  t0=$(now)
  # shellcheck disable=SC2086  # ARGS are split on purpose
  if ! "${timer[@]}" "${pin[@]}" "$bin" process -q \
      --processed-at 2026-01-01T00:00:00Z --dead-letter "$work/dead" $args "$in" \
      > "$work/out" 2> "$work/err"; then
    echo "process_bench: $spec failed:" >&2
    cat "$work/err" >&2
    exit 1
  fi
  t1=$(now)
  if grep -q 'warning' "$work/err"; then
    echo "process_bench: $spec: $(grep warning "$work/err")" >&2
    exit 1
  fi
  rss=0
  cpu=0
  if [[ ${#timer[@]} -gt 0 ]]; then
    read -r rss user sys < <(tail -n 1 "$work/rss")
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%d", (u + s) * 1e6}')
  fi
  local got=$(($(wc -l < "$work/out") + $(wc -l < "$work/dead")))
  if [[ $got -lt $(wc -l < "$in") ]]; then
    echo "process_bench: $spec wrote $got outputs for $(wc -l < "$in") records" >&2
    exit 1
  fi
  echo "$((t1 - t0)) $rss $cpu"
}
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

echo "process_bench: $articles articles, $bytes bytes (${copies} copies of ${corpus_files[*]##*/})"
rt="no"
[[ -n "${PROCESS_BENCH_RT_ACTIVE:-}" ]] && rt="yes (chrt -f 10)"
echo "process_bench: pinned: ${pin[*]:-no}; real-time: $rt; runs: $runs (start-up: $startup_runs per run)"
echo "process_bench: load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A startup_list corpus_list rss_list startup_rss_list startup_cpu_list corpus_cpu_list
for ((r = 1; r <= runs; ++r)); do
  for spec in "${binaries[@]}"; do
    for ((s = 0; s < startup_runs; ++s)); do
      read -r us rss cpu < <(run_once "$spec" "$one")
      startup_list[$spec]+="$us "
      startup_rss_list[$spec]+="$rss "
      startup_cpu_list[$spec]+="$cpu "
    done
    read -r us rss cpu < <(run_once "$spec" "$input")
    corpus_list[$spec]+="$us "
    rss_list[$spec]+="$rss "
    corpus_cpu_list[$spec]+="$cpu "
    echo "  run $r: $spec: corpus $(awk -v u="$us" 'BEGIN{printf "%.3f", u / 1e6}') s," \
      "CPU $(awk -v u="$cpu" 'BEGIN{printf "%.3f", u / 1e6}') s, peak RSS $((rss / 1024)) MB"
  done
done
# The launchers' own cost (fork, /usr/bin/time, taskset, exec of a trivial program), included in
# every wall figure above.
launch=""
for ((s = 0; s < startup_runs; ++s)); do
  t0=$(now)
  "${timer[@]}" "${pin[@]}" true
  t1=$(now)
  launch+="$((t1 - t0)) "
done
echo "process_bench: launcher overhead (median wall of running 'true' the same way):" \
  "$(tr ' ' '\n' <<< "$launch" | grep . | median | awk '{printf "%.1f", $1 / 1e3}') ms"
echo "process_bench: load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
# Wall figures are what a user sees on an idle machine; CPU figures (user + sys of the process)
# are what it costs, and hold up better on a shared, loaded one.
printf '%-44s %9s %9s %9s %10s %10s %10s %7s %8s %7s\n' binary su_ms su_cpu_ms su_rss_MB \
  articles/s excl_su/s cpu_art/s MB/s corpus_s rss_MB
for spec in "${binaries[@]}"; do
  m() { tr ' ' '\n' <<< "$1" | grep . | median; }
  awk -v s="$spec" -v su="$(m "${startup_list[$spec]}")" -v sucpu="$(m "${startup_cpu_list[$spec]}")" \
    -v surss="$(m "${startup_rss_list[$spec]}")" -v co="$(m "${corpus_list[$spec]}")" \
    -v cocpu="$(m "${corpus_cpu_list[$spec]}")" -v rss="$(m "${rss_list[$spec]}")" \
    -v n="$articles" -v b="$bytes" 'BEGIN {
      name = length(s) > 44 ? "..." substr(s, length(s) - 40) : s
      printf "%-44s %9.1f %9.1f %9.1f %10.0f %10.0f %10.0f %7.1f %8.3f %7.1f\n", name, su / 1e3,
        sucpu / 1e3, surss / 1024, n / (co / 1e6), n / ((co - su) / 1e6),
        (cocpu > sucpu) ? n / ((cocpu - sucpu) / 1e6) : 0, b / co, co / 1e6, rss / 1024 }'
done
