#!/usr/bin/env bash
# latency_bench.sh — end-to-end latency of `newsflow run` through a real broker (issue 17).
#
#   BROKERS=$(KAFKA_PORT=29292 ops/kafka/local-kafka.sh start)
#   BROKERS=$BROKERS bench/latency_bench.sh
#
# 1. max rate: a fresh set of topics, a fresh `newsflow run` (the release binary, the built-in
#    configuration: only brokers, topic names and the metrics address are set), a backlog of
#    MAX_RECORDS articles produced as fast as possible; max rate = records / (last output's
#    append time - first input's CreateTime).
# 2. fixed rate: fresh topics, a fresh `newsflow run`, WARMUP_SECONDS at the rate (not counted),
#    then DURATION seconds at RATE (default: 50 % of the max rate of step 1). Reports the
#    per-record latencies measured from the broker's timestamps (kafka_latency_bench) and the
#    delta of the process's own newsflow_end_to_end_latency_seconds histogram over the run.
#
# Environment: BROKERS (or NEWSFLOW_BENCH_BROKERS; required), BUILD (build/release),
# NEWSFLOW_BIN (the newsflow binary to measure; default $BUILD/app/newsflow), RATE (skip step 1),
# DURATION (60 s of step 2), WARMUP_SECONDS (5), BROKER_WARMUP_SECONDS (30: with RATE given, a
# first run at RATE that is not counted, so that a fresh broker's JIT warm-up is not measured; 0:
# none), MAX_RECORDS (20000), CORPUS (the dev corpus
# ../shared/corpus/dev/articles.jsonl if present, else samples/articles.jsonl), METRICS_PORT
# (29400), KAFKA_EXTRA (YAML lines added to the kafka: section, e.g. $'  producer:\n
# linger.ms: 5' to try a knob), PIPELINE_EXTRA (a pipeline: section), CSV (a file for the
# per-record latencies of step 2), REPEAT (1: run step 2 this many times), NICE (a niceness for
# newsflow and the load generator, e.g. -10 with the broker's threads reniced too: separates
# what the code does from what a busy shared machine does), MAX_ONLY (set: step 1 only),
# PHASES (set: also print the latency phases and stage durations of each run), KAFKA_PID (the
# broker's pid, $(KAFKA_PORT=... ops/kafka/local-kafka.sh pid): count its GC pauses with jstat),
# CPU (set: newsflow's CPU time and context switches over step 2's measured run, from
# /proc/PID/task/*: cpu_us_per_article and ctx_switches_per_article (voluntary + involuntary,
# every thread; each also on its own: a voluntary switch is a wait, an involuntary one a
# preemption by other work), then one `thread=` line per thread name with the same per article; CPU=tid:
# also one line per thread; the window is the load generator's run: its sends plus reading the
# last outputs back).
# NEWSFLOW_CPUS / TOOL_CPUS (CPU lists for `taskset -c`: pin newsflow / the load generator, e.g.
# with the broker pinned too by `taskset -a -p -c 0 $(ops/kafka/local-kafka.sh pid)`).
# Output: key=value lines; bench/README.md ("Tail latency") has the method and figures.
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
BROKERS="${BROKERS:-${NEWSFLOW_BENCH_BROKERS:-}}"
[[ -n "$BROKERS" ]] || { echo "set BROKERS (e.g. \$(ops/kafka/local-kafka.sh start))" >&2; exit 64; }
BUILD="${BUILD:-$root/build/release}"
SECONDS_RUN="${DURATION:-60}"
WARMUP_SECONDS="${WARMUP_SECONDS:-5}"
BROKER_WARMUP_SECONDS="${BROKER_WARMUP_SECONDS:-30}"
MAX_RECORDS="${MAX_RECORDS:-20000}"
METRICS_PORT="${METRICS_PORT:-29400}"
REPEAT="${REPEAT:-1}"
if [[ -z "${CORPUS:-}" ]]; then
  CORPUS="$root/samples/articles.jsonl"
  [[ -f "$root/../shared/corpus/dev/articles.jsonl" ]] && CORPUS="$root/../shared/corpus/dev/articles.jsonl"
fi
tool() { ${TOOL_CPUS:+taskset -c "$TOOL_CPUS"} ${NICE:+nice -n "$NICE"} "$BUILD/bench/kafka_latency_bench" "$@"; }
newsflow="${NEWSFLOW_BIN:-$BUILD/app/newsflow}"
[[ -x "$BUILD/bench/kafka_latency_bench" && -x "$newsflow" ]] || {
  echo "build first: cmake --preset release && cmake --build build/release --target newsflow kafka_latency_bench" >&2
  exit 64
}
work="$(mktemp -d)"
nf_pid=""
cleanup() {
  if [[ -n "$nf_pid" ]] && kill -0 "$nf_pid" 2>/dev/null; then
    kill -TERM "$nf_pid" 2>/dev/null || true
    wait "$nf_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# start_newsflow PREFIX: fresh topics, config, process; waits for /readyz.
start_newsflow() {
  local prefix="$1"
  tool topics --brokers "$BROKERS" --prefix "$prefix"
  cat >"$work/$prefix.yaml" <<EOF
kafka:
  brokers: $BROKERS
  group_id: $prefix
  input_topics: [$prefix.raw]
  output_topics: {enriched: $prefix.enriched, alerts: $prefix.alerts, dead_letter: $prefix.dlq, stories: $prefix.stories}
${KAFKA_EXTRA:-}
metrics:
  address: 127.0.0.1:$METRICS_PORT
${PIPELINE_EXTRA:-}
EOF
  ${NEWSFLOW_CPUS:+taskset -c "$NEWSFLOW_CPUS"} ${NICE:+nice -n "$NICE"} "$newsflow" run --config "$work/$prefix.yaml" >"$work/$prefix.log" 2>&1 &
  nf_pid=$!
  for _ in $(seq 1 600); do
    if curl -sf "http://127.0.0.1:$METRICS_PORT/readyz" >/dev/null 2>&1; then return 0; fi
    kill -0 "$nf_pid" 2>/dev/null || { cat "$work/$prefix.log" >&2; return 1; }
    sleep 0.1
  done
  echo "newsflow not ready after 60 s" >&2
  tail -20 "$work/$prefix.log" >&2
  return 1
}

# stop_newsflow PREFIX: stops the process and deletes the run's topics.
stop_newsflow() {
  kill -TERM "$nf_pid"
  wait "$nf_pid" || true
  nf_pid=""
  tool delete --brokers "$BROKERS" --prefix "$1." || true
}

scrape() {
  curl -sf "http://127.0.0.1:$METRICS_PORT/metrics" |
    grep -E '^newsflow_(end_to_end_latency|latency_phase|stage_duration)_seconds_bucket' >"$1"
}

# The broker's garbage collections (count, seconds) when KAFKA_PID is set and jstat exists: a
# young-generation pause of the broker stalls every fetch and every acknowledgement at once.
broker_gc() {
  [[ -n "${KAFKA_PID:-}" ]] && command -v jstat >/dev/null || return 0
  jstat -gc "$KAFKA_PID" 2>/dev/null | awk 'NR == 2 { print $(NF-6), $NF }'
}

# threads_snapshot FILE: per thread of newsflow: tid name utime+stime (ticks) voluntary involuntary.
threads_snapshot() {
  local t
  : >"$1"
  for t in /proc/"$nf_pid"/task/*; do
    [[ -r "$t/stat" ]] || continue
    # The name is in parentheses and may hold spaces: fields after the last ')'.
    awk -v tid="${t##*/}" -v name="$(tr ' ' '_' <"$t/comm")" '
      FNR == NR { sub(/.*\) /, ""); cpu = $12 + $13; next }
      /^voluntary_ctxt_switches/ { v = $2 } /^nonvoluntary_ctxt_switches/ { n = $2 }
      END { print tid, name, cpu, v, n }' "$t/stat" "$t/status" 2>/dev/null >>"$1" || true
  done
}

# cpu_report BEFORE AFTER ARTICLES: totals and per thread name, per article.
cpu_report() {
  awk -v articles="$3" -v hz="$(getconf CLK_TCK)" '
    FNR == NR { cpu0[$1] = $3; v0[$1] = $4; n0[$1] = $5; next }
    { name[$2]++; c = $3 - cpu0[$1]; v = $4 - v0[$1]; n = $5 - n0[$1]
      cpu[$2] += c; vol[$2] += v; inv[$2] += n; tc += c; tv += v; tn += n }
    END {
      printf "cpu_us_per_article=%.1f ctx_switches_per_article=%.2f voluntary=%.2f involuntary=%.2f cpu_seconds=%.2f articles=%d\n",
        tc / hz * 1e6 / articles, (tv + tn) / articles, tv / articles, tn / articles, tc / hz, articles
      for (t in name) printf "thread=%s count=%d cpu_us_per_article=%.1f ctx_switches_per_article=%.2f voluntary=%.2f involuntary=%.2f\n",
        t, name[t], cpu[t] / hz * 1e6 / articles, (vol[t] + inv[t]) / articles, vol[t] / articles,
        inv[t] / articles | "sort -t= -k4 -gr"
    }' "$1" "$2"
  # CPU=tid: also each thread on its own (threads of one name, e.g. librdkafka's rdk:broker1 of
  # each client, told apart by their thread ids: the lower, the earlier created).
  [[ "${CPU:-}" == tid ]] || return 0
  awk -v articles="$3" -v hz="$(getconf CLK_TCK)" '
    FNR == NR { cpu0[$1] = $3; sw0[$1] = $4 + $5; next }
    { printf "tid=%s name=%s cpu_us_per_article=%.1f ctx_switches_per_article=%.2f\n", $1, $2,
        ($3 - cpu0[$1]) / hz * 1e6 / articles, ($4 + $5 - sw0[$1]) / articles }' "$1" "$2"
}

tag="lat$(date +%s)"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), corpus $CORPUS"
if [[ -z "${RATE:-}" ]]; then
  start_newsflow "$tag-max"
  line="$(tool run --brokers "$BROKERS" --prefix "$tag-max" --rate 0 --records "$MAX_RECORDS" --corpus "$CORPUS")"
  stop_newsflow "$tag-max"
  echo "$line"
  max_rate="$(sed -n 's/.* throughput=\([0-9]*\).*/\1/p' <<<"$line")"
  RATE=$((max_rate / 2))
  echo "max_rate=$max_rate rate=$RATE (50 %)"
  [[ -n "${MAX_ONLY:-}" ]] && exit 0
elif ((BROKER_WARMUP_SECONDS > 0)); then
  # With RATE given step 1 does not run, and nothing has warmed the broker up: on a freshly
  # started broker the first ~30 s at 1,400/s had p99 130-459 ms (its JIT; 4 fresh brokers,
  # session 16) against 10-19 ms for the runs after it. Not counted.
  start_newsflow "$tag-warm"
  tool run --brokers "$BROKERS" --prefix "$tag-warm" --rate "$RATE" --seconds "$BROKER_WARMUP_SECONDS" \
    --warmup 0 --corpus "$CORPUS" >/dev/null 2>&1 || true
  stop_newsflow "$tag-warm"
  echo "broker_warmup_seconds=$BROKER_WARMUP_SECONDS (not counted)"
fi
if [[ -n "${NEWSFLOW_CPUS:-}${TOOL_CPUS:-}" ]]; then
  echo "newsflow_cpus=${NEWSFLOW_CPUS:-any} tool_cpus=${TOOL_CPUS:-any}"
fi
for i in $(seq 1 "$REPEAT"); do
  prefix="$tag-r$i"
  start_newsflow "$prefix"
  tool run --brokers "$BROKERS" --prefix "$prefix" --rate "$RATE" --seconds "$WARMUP_SECONDS" \
    --warmup 0 --corpus "$CORPUS" >/dev/null 2>&1 || true
  scrape "$work/before"
  gc_before="$(broker_gc)"
  [[ -n "${CPU:-}" ]] && threads_snapshot "$work/threads.before"
  csv_args=()
  [[ -n "${CSV:-}" ]] && csv_args=(--csv "$CSV.$i")
  line="$(tool run --brokers "$BROKERS" --prefix "$prefix" --rate "$RATE" --seconds "$SECONDS_RUN" \
    --warmup 0 --corpus "$CORPUS" "${csv_args[@]}")"
  scrape "$work/after"
  gc_after="$(broker_gc)"
  [[ -n "${CPU:-}" ]] && threads_snapshot "$work/threads.after"
  stop_newsflow "$prefix"
  gc=""
  if [[ -n "$gc_before" && -n "$gc_after" ]]; then
    gc="$(awk -v b="$gc_before" -v a="$gc_after" 'BEGIN { split(b, x); split(a, y);
      printf "broker_young_gcs=%d broker_gc_ms=%.0f", y[1] - x[1], 1000 * (y[2] - x[2]) }')"
  fi
  echo "run=$i rate=$RATE load=$(cut -d' ' -f1 /proc/loadavg) $gc $line $(python3 "$root/bench/histogram_quantiles.py" "$work/before" "$work/after" ${PHASES:+--all})"
  if [[ -n "${CPU:-}" ]]; then
    cpu_report "$work/threads.before" "$work/threads.after" "$(sed -n 's/.* sent=\([0-9]*\).*/\1/p' <<<"$line")"
  fi
done
