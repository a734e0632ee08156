#!/usr/bin/env bash
# The dashboard's and the recording rules' PromQL against real data:
#   ops/prometheus/live-test.sh NEWSFLOW_BINARY BROKERS
# Starts `newsflow run` against the real broker BROKERS (ops/kafka/local-kafka.sh) on fresh
# topics, feeds it samples/articles.jsonl (ten languages plus the two bad records, so dead-letter
# series exist) in rounds, starts a real Prometheus (Debian package) that scrapes it every second
# with the labels Kubernetes scraping gives (namespace, pod) and evaluates
# ops/prometheus/newsflow-rules.yaml every second (the recording group's 30 s interval is
# shortened for the test), then runs check_queries.py: every dashboard expression (variables
# substituted) and every recording rule must return data, every metric name used must be
# exported, and the NewsflowDeliveryFailures alert must fire for a second instance whose
# deliveries fail for real (its output topic does not exist). Everything it starts is stopped on exit; temporary files go to a mktemp dir.
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="$1" brokers="$2"
export KAFKA_PORT="${KAFKA_PORT:-${brokers##*:}}"  # local-kafka.sh create-topic talks to it
python="$("$root/ops/tools/py-venv.sh")"
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() {  # URL SECONDS: until it answers 200
  local deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$1" 2>/dev/null; do
    [[ $SECONDS -lt $deadline ]] || { echo "live-test: $1 did not answer 200 in $2 s" >&2; return 1; }
    sleep 0.5
  done
}

run_id="livetest-$$-$(date +%s)"
input="$run_id.raw"
for t in "$input:3" "$run_id.enriched:1" "$run_id.alerts:1" "$run_id.dead_letter:1"; do
  "$root/ops/kafka/local-kafka.sh" create-topic "${t%%:*}" "${t##*:}" >/dev/null
done
# The shared story state: compacted, key = story id (consumers/story_state.h).
"$root/ops/kafka/local-kafka.sh" create-topic "$run_id.stories" 1 --config cleanup.policy=compact >/dev/null

metrics_port="$(free_port)"
cat >"$work/newsflow.yaml" <<YAML
kafka:
  brokers: $brokers
  group_id: $run_id
  input_topics: [$input]
  output_topics: {enriched: $run_id.enriched, alerts: $run_id.alerts, dead_letter: $run_id.dead_letter, stories: $run_id.stories}
  statistics_interval_ms: 1000
metrics:
  address: 127.0.0.1:$metrics_port
YAML
"$bin" validate-config "$work/newsflow.yaml" >&2
"$bin" run --config "$work/newsflow.yaml" >"$work/newsflow.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$metrics_port/readyz" 60 || { tail -20 "$work/newsflow.log" >&2; exit 1; }
echo "live-test: newsflow run ready on :$metrics_port (group $run_id)" >&2

# A second instance whose outputs go to a topic that does not exist (message.timeout.ms 1 s):
# its deliveries fail for real, it counts them and exits 1, as a pod would. Its series feed the
# delivery-failure panel and alert.
fail_port="$(free_port)"
"$root/ops/kafka/local-kafka.sh" create-topic "$run_id.fail.raw" 1 >/dev/null
cat >"$work/failing.yaml" <<YAML
kafka:
  brokers: $brokers
  group_id: $run_id.fail
  input_topics: [$run_id.fail.raw]
  output_topics: {enriched: $run_id.missing, alerts: $run_id.missing, dead_letter: $run_id.missing, stories: $run_id.missing}
  producer: {message.timeout.ms: 1000}
metrics:
  address: 127.0.0.1:$fail_port
YAML
"$bin" run --config "$work/failing.yaml" >"$work/failing.log" 2>&1 &
fail_pid=$!
pids+=($fail_pid)
wait_http "http://127.0.0.1:$fail_port/readyz" 60 || { tail -20 "$work/failing.log" >&2; exit 1; }
# Keeps the last /metrics page of the failing instance that shows its failures (one process
# polling every 10 ms until the instance exits).
"$python" - "http://127.0.0.1:$fail_port/metrics" "$work/failing.metrics" "$fail_pid" <<'PY' &
import os, sys, time, urllib.request
url, out, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
while os.path.exists(f"/proc/{pid}"):
    try:
        page = urllib.request.urlopen(url, timeout=1).read().decode()
        if "\nnewsflow_delivery_failures_total{" in page:
            open(out + ".tmp", "w").write(page)
            os.replace(out + ".tmp", out)
    except Exception:
        pass
    time.sleep(0.01)
PY
poll_pid=$!
pids+=($poll_pid)
replay_port="$(free_port)"

# Kubernetes-style target labels (what a ServiceMonitor/PodMonitor scrape adds).
namespace=newsflow-test pod=newsflow-test-0
start="$(date +%s)"
prom_port="$(free_port)"
sed 's/^\(    interval:\) 30s$/\1 1s/' "$root/ops/prometheus/newsflow-rules.yaml" >"$work/rules.yaml"
cat >"$work/prometheus.yml" <<YAML
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: [$work/rules.yaml]
scrape_configs:
  - job_name: newsflow
    static_configs:
      - targets: ["127.0.0.1:$metrics_port"]
        labels: {namespace: $namespace, pod: $pod}
      - targets: ["127.0.0.1:$fail_port", "127.0.0.1:$replay_port"]
        labels: {namespace: $namespace, pod: newsflow-test-1}
YAML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$prom_port/-/ready" 60 || { tail -20 "$work/prometheus.log" >&2; exit 1; }
echo "live-test: prometheus on :$prom_port scraping it" >&2

# Feed the samples in rounds while Prometheus scrapes: rates, ratios and latency quantiles
# need increases inside their windows.
rounds=12
for ((i = 1; i <= rounds; i++)); do
  kcat -b "$brokers" -t "$input" -P -l "$root/samples/articles.jsonl"
  if [[ $i -eq 2 ]]; then
    head -n 3 "$root/samples/articles.jsonl" | kcat -b "$brokers" -t "$run_id.fail.raw" -P -l /dev/stdin
  fi
  sleep 2
done
set +e
wait "$fail_pid"
fail_status=$?
set -e
if [[ $fail_status -ne 1 ]]; then
  echo "live-test: the failing instance exited $fail_status, expected 1" >&2
  tail -5 "$work/failing.log" >&2
  exit 1
fi
echo "live-test: the failing instance exited 1 after its delivery failures, as documented" >&2
grep -m1 '"delivery failed' "$work/failing.log" >&2
# newsflow stops serving /metrics about 0.1 s after it counts the failure (it closes the HTTP
# endpoint when it stops, then exits 1 two seconds later), so a 1 s scrape rarely sees
# newsflow_delivery_failures_total: the page the poller caught is served to Prometheus as the
# same pod (another instance label) for 10 s, as if its last scrape had landed.
wait "$poll_pid" || true  # the poller ends with the instance
grep -q '^newsflow_delivery_failures_total{' "$work/failing.metrics" 2>/dev/null || {
  echo "live-test: the poller never saw newsflow_delivery_failures_total on the failing instance" >&2
  exit 1
}
grep '^newsflow_delivery_failures_total{' "$work/failing.metrics" >&2
mkdir -p "$work/replay" && cp "$work/failing.metrics" "$work/replay/metrics"
(cd "$work/replay" && exec "$python" -m http.server --bind 127.0.0.1 "$replay_port") >/dev/null 2>&1 &
replay_pid=$!
pids+=($replay_pid)
sleep 10
kill "$replay_pid"
lines="$(grep -c '' "$root/samples/articles.jsonl")"
echo "live-test: produced $((rounds * lines)) records in $rounds rounds" >&2
sleep 3
curl -fsS "http://127.0.0.1:$metrics_port/metrics" | grep -E '^newsflow_records_(consumed|dead_lettered)_total' >&2

"$python" "$root/ops/prometheus/check_queries.py" "http://127.0.0.1:$prom_port" \
  "$root/ops/grafana/newsflow.json" "$root/ops/prometheus/newsflow-rules.yaml" \
  "$start" NewsflowDeliveryFailures=pod:newsflow-test-1 \
  namespace="$namespace" pod='newsflow-test-.*' topic="$input" __rate_interval=30s __interval=5s \
  datasource=prometheus
