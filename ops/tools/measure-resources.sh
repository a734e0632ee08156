#!/usr/bin/env bash
# Measures what `newsflow run` (the container image, as the chart runs it) uses under load, for
# the chart's resource defaults. Not part of ops/test.sh (it takes a few minutes).
#   ops/tools/measure-resources.sh IMAGE BROKERS FILE.jsonl COPIES [WORKERS]
# Produces COPIES x FILE to a fresh topic (6 partitions) first, then starts the container
# (workers WORKERS, default 2) on that backlog and samples VmRSS and CPU time every 0.5 s from
# /proc from the first consumed record until the backlog is consumed, then idles 10 s and
# samples again.
# Prints: records, wall time, records/s, peak and final RSS, average CPU cores while busy.
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)"
image="$1" brokers="$2" file="$3" copies="$4" workers="${5:-2}"
export KAFKA_PORT="${KAFKA_PORT:-${brokers##*:}}"
source "$root/ops/container/podman-env.sh"
newsflow_podman_env
topic="measure-$$-$(date +%s)"
name="newsflow-measure-$$"
work="$(mktemp -d)"
trap 'podman rm -f "$name" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
"$root/ops/kafka/local-kafka.sh" create-topic "$topic.raw" 6 >/dev/null 2>&1
for t in enriched alerts dead_letter; do "$root/ops/kafka/local-kafka.sh" create-topic "$topic.$t" 1 >/dev/null 2>&1; done
for ((i = 0; i < copies; i++)); do cat "$file"; done >"$work/load.jsonl"
records="$(grep -c '' "$work/load.jsonl")"
kcat -b "$brokers" -t "$topic.raw" -P -l "$work/load.jsonl"
cat >"$work/newsflow.yaml" <<YAML
kafka:
  input_topics: [$topic.raw]
  output_topics: {enriched: $topic.enriched, alerts: $topic.alerts, dead_letter: $topic.dead_letter}
  workers: $workers
metrics:
  address: 127.0.0.1:39464
YAML
chmod -R a+rX "$work"
podman run -d --name "$name" --network host --read-only --tmpfs /tmp -v "$work:/etc/newsflow:ro" \
  -e NEWSFLOW_KAFKA_BROKERS="$brokers" -e NEWSFLOW_KAFKA_GROUP_ID="$topic" \
  "$image" run --config /etc/newsflow/newsflow.yaml >/dev/null
pid="$(podman inspect --format '{{.State.Pid}}' "$name")"
tick="$(getconf CLK_TCK)"
cpu() { awk -v t="$tick" '{print ($14 + $15) / t}' "/proc/$pid/stat"; }
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"; }
consumed() { curl -fsS http://127.0.0.1:39464/metrics 2>/dev/null | awk '/^newsflow_records_consumed_total/ {s += $2} END {print s + 0}'; }
until [[ "$(consumed)" -gt 0 ]]; do sleep 0.1; done  # group joined, first records in
start="$(date +%s.%N)" cpu0="$(cpu)" peak=0 first="$(consumed)"
while [[ "$(consumed)" -lt "$records" ]]; do
  r="$(rss)"; ((r > peak)) && peak=$r
  sleep 0.5
done
end="$(date +%s.%N)" cpu1="$(cpu)"
busy_rss="$(rss)"
sleep 10
idle_rss="$(rss)" cpu2="$(cpu)"
awk -v n="$records" -v s="$start" -v e="$end" -v c0="$cpu0" -v c1="$cpu1" -v c2="$cpu2" \
    -v first="$first" -v peak="$peak" -v busy="$busy_rss" -v idle="$idle_rss" -v w="$workers" 'BEGIN {
  d = e - s
  printf "workers %d: %d records (%d after the first poll) in %.1f s = %.0f records/s; RSS peak %.0f MiB, at the end %.0f MiB, after 10 s idle %.0f MiB; CPU %.2f cores while busy, %.3f cores idle\n",
    w, n, n - first, d, (n - first) / d, peak / 1024, busy / 1024, idle / 1024, (c1 - c0) / d, (c2 - c1) / 10 }'
