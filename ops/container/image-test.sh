#!/usr/bin/env bash
# Tests the image the way it is deployed:
#   ops/container/image-test.sh IMAGE BROKERS HELM
# 1. `podman run --rm IMAGE --version` names the version;
# 2. `podman run --rm IMAGE demo` (the default command) passes inside the container: every
#    sample accounted for, exit 0;
# 3. the image's user is numeric and not root (what Kubernetes' runAsNonRoot checks);
# 4. `newsflow run` in the container with the chart's securityContext (read-only root
#    filesystem, all capabilities dropped, no privilege escalation, /tmp an empty dir) and the
#    chart's rendered ConfigMap mounted at /etc/newsflow, brokers from NEWSFLOW_KAFKA_BROKERS as
#    the chart sets them, against the real broker BROKERS: the process runs as uid 10001,
#    /readyz turns 200, the samples are consumed (dead letters included), each enriched event's
#    story state is produced to news.stories (created compacted, as the chart's NOTES say), and
#    SIGTERM (podman stop, as the kubelet does) exits 0.
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)"
image="$1" brokers="$2" helm="$3"
export KAFKA_PORT="${KAFKA_PORT:-${brokers##*:}}"
# shellcheck source=podman-env.sh
source "$root/ops/container/podman-env.sh"
newsflow_podman_env
work="$(mktemp -d)"
name="newsflow-image-test-$$"
cleanup() { podman rm -f "$name" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "image-test: FAIL: $*" >&2; exit 1; }

version="$(sed -n 's/^project(newsflow VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")"
out="$(podman run --rm "$image" --version)"
echo "image-test: --version: $out" >&2
[[ "$out" == "newsflow $version "* ]] || fail "--version printed '$out', expected newsflow $version"

start=$SECONDS
podman run --rm "$image" >"$work/demo.out" 2>"$work/demo.err" || { tail "$work/demo.err" >&2; fail "demo exited non-zero"; }
summary="$(grep 'newsflow demo:' "$work/demo.err")"
echo "image-test: demo in $((SECONDS - start)) s: $summary" >&2
[[ "$summary" == *"all accounted for"*"runtime exit 0"* ]] || fail "demo summary: $summary"

user="$(podman image inspect --format '{{.Config.User}}' "$image")"
echo "image-test: image user $user" >&2
[[ "$user" =~ ^[1-9][0-9]*(:[0-9]+)?$ ]] || fail "image user '$user' is not a numeric non-root uid"

# The chart's ConfigMap, as the Deployment mounts it.
mkdir -p "$work/config"
"$helm" template nf "$root/helm/newsflow" --show-only templates/configmap.yaml |
  "$("$root/ops/tools/py-venv.sh")" -c 'import sys, yaml; sys.stdout.write(yaml.safe_load(sys.stdin)["data"]["newsflow.yaml"])' \
  >"$work/config/newsflow.yaml"
chmod -R a+rX "$work/config"
topic="imagetest-$$-$(date +%s)"
# The chart's output topics; news.stories compacted, as the chart's NOTES tell the operator.
for t in "$topic.raw:2" "news.enriched:1" "news.alerts:1" "news.dead_letter:1" \
  "news.stories:1:--config:cleanup.policy=compact"; do
  IFS=: read -r -a spec <<<"$t"
  "$root/ops/kafka/local-kafka.sh" create-topic "${spec[@]}" >/dev/null 2>&1 ||
    fail "cannot create topic ${spec[0]} on $brokers (is the broker running?)"
done
grep -q '^    stories: news.stories$' "$work/config/newsflow.yaml" ||
  fail "the chart's ConfigMap does not name the stories topic news.stories"
port="$("$("$root/ops/tools/py-venv.sh")" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
sed -i "s/^  - news.raw$/  - $topic.raw/" "$work/config/newsflow.yaml"
podman run -d --name "$name" --network host \
  --read-only --tmpfs /tmp:size=64m --cap-drop ALL --security-opt no-new-privileges \
  -v "$work/config:/etc/newsflow:ro" \
  -e NEWSFLOW_KAFKA_BROKERS="$brokers" -e NEWSFLOW_KAFKA_GROUP_ID="$topic" \
  -e NEWSFLOW_METRICS_ADDRESS="127.0.0.1:$port" \
  "$image" run --config /etc/newsflow/newsflow.yaml >/dev/null
pid="$(podman inspect --format '{{.State.Pid}}' "$name")"
uid="$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")"
echo "image-test: newsflow run in the container: pid $pid, uid $uid" >&2
[[ "$uid" != 0 && "$uid" == "${user%%:*}" ]] || fail "the container process runs as uid $uid"
deadline=$((SECONDS + 60))
until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
  [[ $SECONDS -lt $deadline ]] || { podman logs "$name" | tail >&2; fail "/readyz not 200 within 60 s"; }
  sleep 0.5
done
echo "image-test: /readyz 200" >&2
kcat -b "$brokers" -t "$topic.raw" -P -l "$root/samples/articles.jsonl"
want="$(grep -c '' "$root/samples/articles.jsonl")"
# Done when every record is accounted for: consumed = enriched + dead-lettered (the counters
# move when the broker acknowledges the outputs).
deadline=$((SECONDS + 60))
while :; do
  read -r got enriched dead stories < <(curl -fsS "http://127.0.0.1:$port/metrics" | awk '
    /^newsflow_records_consumed_total/ {c += $2}
    /^newsflow_records_produced_total\{topic="news.enriched"\}/ {e += $2}
    /^newsflow_records_dead_lettered_total/ {d += $2}
    /^newsflow_records_produced_total\{topic="news.stories"\}/ {s += $2}
    END {print c + 0, e + 0, d + 0, s + 0}')
  [[ "$got" == "$want" && $((enriched + dead)) == "$want" && "$stories" -ge 1 ]] && break
  [[ $SECONDS -lt $deadline ]] ||
    fail "after 60 s: consumed $got of $want, enriched $enriched, dead-lettered $dead, stories $stories"
  sleep 0.5
done
echo "image-test: consumed $got records from the real broker: $enriched enriched, $dead dead-lettered, $stories story states to news.stories" >&2
# Logs captured first: with pipefail, `podman logs | grep -m1` fails when grep stops reading early.
logs="$(podman logs "$name" 2>&1)"
grep -m1 '"msg":"story state' <<<"$logs" >&2 || fail "no story state restore log line"
# The chart points taxonomy.snapshot at the snapshot the image build compiled: no YAML compile.
grep -m1 '"msg":"taxonomy loaded".*"from":"snapshot /usr/share/newsflow/taxonomy.snapshot"' \
  <<<"$logs" >&2 || { grep -m3 'taxonomy\|snapshot' <<<"$logs" >&2; fail "the built-in taxonomy did not load from the image's snapshot"; }
[[ "$dead" -ge 1 ]] || fail "the bad samples were not dead-lettered"
podman stop -t 40 "$name" >/dev/null
status="$(podman inspect --format '{{.State.ExitCode}}' "$name")"
echo "image-test: SIGTERM -> exit $status" >&2
[[ "$status" == 0 ]] || { podman logs "$name" | tail >&2; fail "exit status $status after SIGTERM"; }
logs="$(podman logs "$name" 2>&1)"
grep -q '"msg":"stopped"' <<<"$logs" || fail "no 'stopped' log line"
echo "image-test: OK" >&2
