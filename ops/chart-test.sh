#!/usr/bin/env bash
# The chart stage of ops/test.sh: tests helm/newsflow with the real tools.
#   ops/chart-test.sh NEWSFLOW_BINARY
#  1. helm lint --strict, default values and helm/newsflow/ci/all-features-values.yaml;
#  2. helm template: defaults, every optional feature on, and the HPA variant;
#  3. values the schema (or the chart's own checks) must reject: helm lint and helm template fail;
#  4. the helm-unittest suites (helm/newsflow/tests);
#  5. kubeconform -strict of every rendering against Kubernetes $NEWSFLOW_KUBE_VERSION (v1.34.0)
#     and the ServiceMonitor/PodMonitor/ScaledObject/TriggerAuthentication CRD schemas;
#  6. `newsflow validate-config` accepts each rendered ConfigMap;
#  7. a config change changes the pods' checksum annotation;
#  8. the chart README's values table matches values.yaml.
# Tools (helm v4, helm-unittest, kubeconform) and schemas are built once and cached
# (ops/tools/go-tools.sh, ops/tools/kube-schemas.sh).
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$1"
chart="$root/helm/newsflow"
all="$chart/ci/all-features-values.yaml"
mapfile -t tools < <("$root/ops/tools/go-tools.sh" helm helm-unittest kubeconform)
helm="${tools[0]}" unittest="${tools[1]}" kubeconform="${tools[2]}"
mapfile -t schemas < <("$root/ops/tools/kube-schemas.sh")
kube_version="${NEWSFLOW_KUBE_VERSION:-v1.34.0}"
python="$("$root/ops/tools/py-venv.sh")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failed=0
check() { local what="$1"; shift; if "$@"; then echo "ok   $what"; else echo "FAIL $what" >&2; failed=1; fi; }

echo "== chart: helm $("$helm" version --short 2>/dev/null) lint --strict"
check "lint --strict (defaults)" "$helm" lint --strict "$chart"
check "lint --strict (all features)" "$helm" lint --strict "$chart" -f "$all"

echo "== chart: helm template"
check "template (defaults)" bash -c '"$0" template nf "$1" -n news >"$2/default.yaml"' "$helm" "$chart" "$work"
check "template (all features)" bash -c '"$0" template nf "$1" -n news -f "$3" >"$2/all.yaml"' "$helm" "$chart" "$work" "$all"
check "template (HPA)" bash -c '"$0" template nf "$1" -n news --set autoscaling.enabled=true >"$2/hpa.yaml"' "$helm" "$chart" "$work"
for f in default all hpa; do
  echo "     $f: $(grep -c '^kind:' "$work/$f.yaml") resources: $(grep '^kind:' "$work/$f.yaml" | cut -d' ' -f2 | sort | tr '\n' ' ')"
done

echo "== chart: values that must be rejected"
# Schema violations fail both helm template and helm lint. The chart's own checks (template
# `fail`) fail helm template/install; helm lint only logs them (helm runs `fail` as a no-op in
# lint mode), so for those only template is asserted.
reject() {  # WHY EXPECTED-MESSAGE-REGEX --set ARGS...
  local why="$1" pattern="$2"; shift 2
  local out rc=0 lint_fails=1
  out="$("$helm" template nf "$chart" "$@" 2>&1 >/dev/null)" || rc=$?
  if [[ "$pattern" == "$schema" ]] && "$helm" lint --strict "$chart" "$@" >/dev/null 2>&1; then
    lint_fails=0
  fi
  if [[ $rc -ne 0 && "$out" =~ $pattern && $lint_fails -eq 1 ]]; then
    echo "ok   rejected: $why"
  else
    echo "FAIL not rejected (or wrong message): $why: rc=$rc ${out:0:300}" >&2
    failed=1
  fi
}
schema='values don.t meet the specifications of the schema'
reject "negative replicaCount" "$schema" --set replicaCount=-1
reject "replicaCount as a string" "$schema" --set-string replicaCount=two
reject "unknown pull policy" "$schema" --set image.pullPolicy=Sometimes
reject "empty brokers" "$schema" --set kafka.brokers=
reject "broker without a port" "$schema" --set kafka.brokers=kafka
reject "zero partitions" "$schema" --set kafka.partitions=0
reject "unknown security protocol" "$schema" --set kafka.securityProtocol=TLS
reject "unknown SASL mechanism" "$schema" --set kafka.saslMechanism=MD5
reject "metrics port out of range" "$schema" --set metrics.port=70000
reject "unknown top-level key" "$schema" --set replicas=3
reject "misspelt nested key" "$schema" --set kafka.groupID=x
reject "unknown config section" "$schema" --set config.kafkaa.workers=2
reject "zero workers" "$schema" --set config.kafka.workers=0
reject "empty input topic list" "$schema" --set-json 'config.kafka.input_topics=[]'
reject "KEDA lag threshold 0" "$schema" --set keda.lagThreshold=0
reject "PDB maxUnavailable not a number or percentage" "$schema" --set podDisruptionBudget.maxUnavailable=abc
reject "HPA CPU target above 100 %" "$schema" --set autoscaling.targetCPUUtilizationPercentage=150
reject "grace period below shutdown_timeout_ms" "must exceed config.kafka.shutdown_timeout_ms" --set terminationGracePeriodSeconds=20
reject "HPA and KEDA together" "mutually exclusive" --set autoscaling.enabled=true --set keda.enabled=true
reject "brokers inside config" "set it with kafka.brokers" --set config.kafka.brokers=x:1
reject "metrics section inside config" "set metrics.port instead" --set config.metrics.enabled=false
reject "startup probe shorter than the story restore" "must exceed 120 s, the story state restore" --set probes.startup.failureThreshold=30

echo "== chart: helm-unittest"
check "helm-unittest suites" "$unittest" --color=false "$chart"

echo "== chart: kubeconform -strict, Kubernetes $kube_version + CRD schemas"
for f in default all hpa; do
  check "kubeconform $f" "$kubeconform" -strict -summary -kubernetes-version "${kube_version#v}" \
    -schema-location "${schemas[0]}" -schema-location "${schemas[1]}" "$work/$f.yaml"
done

echo "== chart: newsflow validate-config on the rendered ConfigMaps"
for f in default all; do
  "$python" -c 'import sys, yaml
for d in yaml.safe_load_all(open(sys.argv[1])):
    if d and d["kind"] == "ConfigMap": sys.stdout.write(d["data"]["newsflow.yaml"])' \
    "$work/$f.yaml" >"$work/$f-config.yaml"
  check "validate-config ($f)" "$bin" validate-config "$work/$f-config.yaml"
done

echo "== chart: a config change rolls the pods"
sum() { "$helm" template nf "$chart" "$@" --show-only templates/deployment.yaml | grep 'checksum/config'; }
a="$(sum)" b="$(sum --set config.kafka.workers=3)" c="$(sum --set replicaCount=5)"
check "checksum changes with the config, not with replicaCount" test "$a" != "$b" -a "$a" == "$c"

echo "== chart: README values table"
check "README matches values.yaml" "$root/ops/tools/chart-readme.sh" --check
exit "$failed"
