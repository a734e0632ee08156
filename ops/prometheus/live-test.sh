#!/usr/bin/env bash
# The dashboard's and the recording rules' PromQL against real data:
#   ops/prometheus/live-test.sh NEWSFLOW_BINARY BROKERS
# Starts `newsflow run` against the real broker BROKERS (ops/kafka/local-kafka.sh) on fresh
# topics (the stories topic compacted, as operators must create it), feeds it
# samples/articles.jsonl in rounds (ten languages plus the two bad records, so dead-letter
# series exist; the ceasefire samples raise alerts, the repeated rounds make exact duplicates
# and suppressed re-matches) and 11 articles that make a surge, starts a real Prometheus (Debian
# package) that scrapes it every second with the labels Kubernetes scraping gives (namespace,
# pod) and evaluates ops/prometheus/newsflow-rules.yaml every second (the recording group's
# 30 s interval is shortened for the test), then runs check_queries.py: every dashboard
# expression (variables substituted) and every recording rule must return data, every metric
# name used must be exported, and the NewsflowDeliveryFailures alert must fire for two more
# instances whose deliveries fail for real: one whose enriched/alerts/dead-letter topic does
# not exist, one whose stories topic does not exist (each exits 1 after Prometheus scraped its
# failure: the final scrape of app/cmd_run.cc). The main instance's last page must show the
# story layer at work (stories, story states produced, duplicates, alerts raised and
# suppressed, one surge) and the series known at start-up at 0. Everything it starts is
# stopped on exit; temporary files go to a mktemp dir.
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="$1" brokers="$2"
export KAFKA_PORT="${KAFKA_PORT:-${brokers##*:}}"  # local-kafka.sh create-topic talks to it
python="$("$root/ops/tools/py-venv.sh")"
# shellcheck source=../tools/scratch.sh
source "$root/ops/tools/scratch.sh"

run_id="livetest-$$-$(date +%s)"
input="$run_id.raw"
# The outputs, news.stories' stand-in compacted as the chart's NOTES tell operators (each
# instance reads it in full at start-up and tails it; auto-creation is off on the test broker).
for t in "$input:3" "$run_id.enriched:1" "$run_id.alerts:1" "$run_id.dead_letter:1" \
  "$run_id.stories:3:--config:cleanup.policy=compact" "$run_id.fail.raw:1" \
  "$run_id.fail.stories:1:--config:cleanup.policy=compact"; do
  IFS=: read -r -a spec <<<"$t"
  "$root/ops/kafka/local-kafka.sh" create-topic "${spec[@]}" >/dev/null
done

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
grep -m1 '"msg":"story state' "$work/newsflow.log" >&2 ||
  { echo "live-test: no story state restore log line" >&2; exit 1; }
echo "live-test: newsflow run ready on :$metrics_port (group $run_id)" >&2

# Two instances whose deliveries fail for real (message.timeout.ms 1 s), as pods would: each
# counts its failures, keeps serving /metrics until Prometheus has scraped them (the final
# scrape, app/cmd_run.cc) and exits 1. Their series feed the delivery-failure panel and alert.
#  - fail-outputs: enriched/alerts/dead-letter topic missing (its stories topic exists);
#  - fail-stories: the stories topic missing (the mistake the stories output makes likely),
#    its other outputs go to the main instance's topics.
fail_outputs_port="$(free_port)" fail_stories_port="$(free_port)"
cat >"$work/fail-outputs.yaml" <<YAML
kafka:
  brokers: $brokers
  group_id: $run_id.fail-outputs
  input_topics: [$run_id.fail.raw]
  output_topics: {enriched: $run_id.missing, alerts: $run_id.missing, dead_letter: $run_id.missing, stories: $run_id.fail.stories}
  producer: {message.timeout.ms: 1000}
metrics:
  address: 127.0.0.1:$fail_outputs_port
YAML
cat >"$work/fail-stories.yaml" <<YAML
kafka:
  brokers: $brokers
  group_id: $run_id.fail-stories
  input_topics: [$run_id.fail.raw]
  output_topics: {enriched: $run_id.enriched, alerts: $run_id.alerts, dead_letter: $run_id.dead_letter, stories: $run_id.missing-stories}
  producer: {message.timeout.ms: 1000}
metrics:
  address: 127.0.0.1:$fail_stories_port
YAML
fail_pids=()
for f in fail-outputs fail-stories; do
  "$bin" run --config "$work/$f.yaml" >"$work/$f.log" 2>&1 &
  fail_pids+=($!)
  pids+=($!)
done
for p in "$fail_outputs_port:fail-outputs" "$fail_stories_port:fail-stories"; do
  wait_http "http://127.0.0.1:${p%%:*}/readyz" 60 || { tail -20 "$work/${p#*:}.log" >&2; exit 1; }
done

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
      - targets: ["127.0.0.1:$fail_outputs_port"]
        labels: {namespace: $namespace, pod: newsflow-test-1}
      - targets: ["127.0.0.1:$fail_stories_port"]
        labels: {namespace: $namespace, pod: newsflow-test-2}
YAML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$prom_port/-/ready" 60 || { tail -20 "$work/prometheus.log" >&2; exit 1; }
echo "live-test: prometheus on :$prom_port scraping it" >&2

# A surge (processors/alert/surge.h) needs a key with a baseline: one article on a topic the
# samples do not have (elections) dated 3 hours ago, which gives its series 3 hours of closed
# 5-minute buckets (baseline 0.89 after decay, past the 12-bucket warm-up), then 10 distinct
# articles on it dated now, in one bucket: the 8th makes 8 >= min_count, >= 3 x baseline,
# Poisson tail 4.5e-06 <= 1e-4, so one surge alert is raised and newsflow_surge_* move.
"$python" - "$run_id" "$work/surge" <<'PY'
import datetime, json, sys, time
run, out = sys.argv[1], sys.argv[2]
now = time.time()
def art(i, t, city):
    return json.dumps({
        "id": f"{run}-surge-{i}", "url": f"https://example.org/elections/{run}/{i}",
        "source": f"Example Wire {i % 4}", "language": "en",
        "published": datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
            "%Y-%m-%dT%H:%M:%SZ"),
        "title": f"Polls close in {city} regional election",
        "body": f"Voters in {city} cast ballots on Sunday in the regional election. The election "
                f"commission said turnout reached {40 + i} percent and that {3 + i} parties are on "
                "the ballot; the results are expected overnight, and a runoff would follow in two "
                "weeks."}) + "\n"
open(out + ".warmup.jsonl", "w").write(art(0, now - 3 * 3600, "Bergen"))
cities = ["Lyon", "Porto", "Graz", "Tartu", "Kaunas", "Brno", "Split", "Varna", "Malmo", "Ghent"]
open(out + ".burst.jsonl", "w").write("".join(art(i, now - 30, c) for i, c in enumerate(cities, 1)))
PY

# Feed the samples in rounds while Prometheus scrapes: rates, ratios and latency quantiles
# need increases inside their windows. The surge's warm-up article goes first (a later one
# would find its bucket already closed by the burst: late, not counted), its burst in round 6.
rounds=12
for ((i = 1; i <= rounds; i++)); do
  kcat -b "$brokers" -t "$input" -P -l "$root/samples/articles.jsonl"
  if [[ $i -eq 1 ]]; then kcat -b "$brokers" -t "$input" -P -l "$work/surge.warmup.jsonl"; fi
  if [[ $i -eq 6 ]]; then kcat -b "$brokers" -t "$input" -P -l "$work/surge.burst.jsonl"; fi
  if [[ $i -eq 2 ]]; then
    head -n 3 "$root/samples/articles.jsonl" | kcat -b "$brokers" -t "$run_id.fail.raw" -P -l /dev/stdin
  fi
  sleep 2
done
failing=(fail-outputs fail-stories)
for i in 0 1; do
  f="${failing[$i]}"
  set +e
  wait "${fail_pids[$i]}"
  status=$?
  set -e
  if [[ $status -ne 1 ]]; then
    echo "live-test: $f exited $status, expected 1" >&2
    tail -5 "$work/$f.log" >&2
    exit 1
  fi
  echo "live-test: $f exited 1 after its delivery failures, as documented:" >&2
  grep -m1 '"produce failed\|"delivery failed' "$work/$f.log" >&2
  # The failure's counters reached Prometheus: the instance served /metrics once more after
  # stopping (app/cmd_run.cc's final scrape), not a page rendered before the failure.
  grep -m1 '"msg":"final scrape"' "$work/$f.log" >&2
  grep -q '"msg":"final scrape".*"served":true' "$work/$f.log" ||
    { echo "live-test: $f exited without a final scrape" >&2; exit 1; }
done
grep -q "\"output_topic\":\"$run_id.missing\"" "$work/fail-outputs.log" ||
  { echo "live-test: fail-outputs did not fail on its missing output topic" >&2; exit 1; }
grep -q "\"output_topic\":\"$run_id.missing-stories\"" "$work/fail-stories.log" ||
  { echo "live-test: fail-stories did not fail on its missing stories topic" >&2; exit 1; }
lines="$(grep -c '' "$root/samples/articles.jsonl")"
echo "live-test: produced $((rounds * lines + 11)) records: $rounds rounds of the samples, 11 for a surge" >&2
sleep 3
curl -fsS "http://127.0.0.1:$metrics_port/metrics" >"$work/final.metrics"
grep -E '^newsflow_records_(consumed|dead_lettered)_total' "$work/final.metrics" >&2
# What the story panels show is real: stories open, story states produced to the stories topic,
# exact duplicates (the rounds repeat the samples), ceasefire alerts raised and suppressed; and
# the series known at start-up exist at 0 (a rebalance kind and a failure reason that never
# happened here).
expect() {  # REGEX-OF-A-SERIES-LINE CONDITION-ON-ITS-VALUE (awk)
  re="$1" awk 'BEGIN {found = 0} $0 ~ ENVIRON["re"] {found = 1; if (!('"$2"')) bad = 1; print}
    END {exit (found && !bad) ? 0 : 1}' "$work/final.metrics" >&2 ||
    { echo "live-test: expected a series matching $1 with value $2" >&2; exit 1; }
}
expect '^newsflow_stories_open ' '$2 > 0'
expect "^newsflow_records_produced_total\\{topic=\"$run_id.stories\"\\} " '$2 > 0'
expect '^newsflow_story_duplicates_total\{kind="exact"\} ' '$2 > 0'
expect '^newsflow_alerts_raised_total\{rule="ceasefire-announced",' '$2 > 0'
expect '^newsflow_alerts_suppressed_total\{rule="ceasefire-announced"\} ' '$2 > 0'
expect '^newsflow_surge_alerts_total ' '$2 >= 1'
expect '^newsflow_surge_bucket_articles\{key="topic:elections"\} ' '$2 >= 8'
expect '^newsflow_rebalances_total\{kind="lost"\} ' '$2 == 0'
expect "^newsflow_delivery_failures_total\\{reason=\"unknown_topic\",topic=\"$run_id.stories\"\\} " '$2 == 0'

"$python" "$root/ops/prometheus/check_queries.py" "http://127.0.0.1:$prom_port" \
  "$root/ops/grafana/newsflow.json" "$root/ops/prometheus/newsflow-rules.yaml" \
  "$start" "NewsflowDeliveryFailures=pod:newsflow-test-1,topic:$run_id.missing" \
  "NewsflowDeliveryFailures=pod:newsflow-test-2,topic:$run_id.missing-stories" \
  namespace="$namespace" pod='newsflow-test-.*' topic="$input" __rate_interval=30s __interval=5s \
  datasource=prometheus
