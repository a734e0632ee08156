#!/usr/bin/env bash
# The README's test command: installs what is needed, builds, and runs every test suite.
#   1. dev preset (warnings are errors): unit, golden and corpus tests through ctest;
#   2. dev preset: integration tests (label `integration`) against a real Kafka broker started
#      here with ops/kafka/local-kafka.sh (stopped on exit); its address is passed to the tests
#      in NEWSFLOW_TEST_BROKERS. They run one at a time (-j1): each drives `newsflow run`
#      processes on this machine's cores. NEWSFLOW_SKIP_INTEGRATION=1 skips them.
#      The fault suite (label `fault`: kill -9 during backlogs, a frozen and a restarted broker,
#      rebalances, oversized records, 30+ bad-input classes) runs after them on the same broker
#      (it freezes and restarts it); NEWSFLOW_SKIP_FAULT=1 skips it.
#   3. asan preset (AddressSanitizer + UBSan): unit, golden and corpus tests. NEWSFLOW_SKIP_ASAN=1 skips it.
#   4. tsan preset (ThreadSanitizer): the Kafka engine's tests (queue, workers, sequencer,
#      delivery, revocation, poll loop) and one pipeline shared by four threads.
#      NEWSFLOW_SKIP_TSAN=1 skips it.
#   5. fuzz: each libFuzzer target for NEWSFLOW_FUZZ_SECONDS (20) through ops/fuzz.sh (clang,
#      build/fuzz); NEWSFLOW_SKIP_FUZZ=1 skips it.
#   6. the operating kit (issue 15; ops/README.md has what each runs and its cold/warm times),
#      each stage skippable: rules (NEWSFLOW_SKIP_RULES=1), dashboard against a real Prometheus
#      scraping newsflow run on the broker (NEWSFLOW_SKIP_DASHBOARD=1), Helm chart
#      (NEWSFLOW_SKIP_CHART=1), the chart against a real kube-apiserver (when its binaries are
#      cached, or NEWSFLOW_KUBE_DRY_RUN=1), container image (NEWSFLOW_SKIP_IMAGE=1); optionally
#      the README commands on a minimal Debian 12 container (NEWSFLOW_SLIM_README=1).
# Each stage prints its wall time ("== time: STAGE Ns").
# Exits non-zero if anything fails (every stage still runs, so one report shows all failures).
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jobs="${NEWSFLOW_TEST_JOBS:-$(nproc)}"
failed=0

"$root/ops/build.sh" dev
echo "== ctest (dev): all labels but integration and fault" >&2
ctest --preset dev -j "$jobs" -LE 'integration|fault' || failed=1

brokers=""
start_broker() {  # once; stopped on exit
  if [[ -z "$brokers" ]]; then
    echo "== starting the local Kafka broker (ops/kafka/local-kafka.sh)" >&2
    brokers="$("$root/ops/kafka/local-kafka.sh" start | tail -n 1)"
    trap '"$root/ops/kafka/local-kafka.sh" stop >&2 || true' EXIT
  fi
}

if [[ "${NEWSFLOW_SKIP_INTEGRATION:-0}" != "1" ]]; then
  start_broker
  echo "== ctest (dev): integration against $brokers" >&2
  # --- reliability (issue 13): integration, then the fault suite, each timed ---
  t0=$SECONDS
  NEWSFLOW_TEST_BROKERS="$brokers" ctest --preset dev -L integration -j 1 || failed=1
  echo "== time: integration $((SECONDS - t0))s" >&2
  if [[ "${NEWSFLOW_SKIP_FAULT:-0}" != "1" ]]; then
    echo "== ctest (dev): fault suite against $brokers" >&2
    t0=$SECONDS
    NEWSFLOW_TEST_BROKERS="$brokers" ctest --preset dev -L fault -j 1 || failed=1
    echo "== time: fault $((SECONDS - t0))s" >&2
  fi
  # --- end reliability ---
fi

if [[ "${NEWSFLOW_SKIP_ASAN:-0}" != "1" ]]; then
  "$root/ops/build.sh" asan
  echo "== ctest (asan): unit, golden and corpus" >&2
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --preset asan -j "$jobs" || failed=1
fi
if [[ "${NEWSFLOW_SKIP_TSAN:-0}" != "1" ]]; then
  t0=$SECONDS
  "$root/ops/build.sh" tsan --target consumers_test app_test
  echo "== ThreadSanitizer: consumers_test, app_test (PipelineThreads*)" >&2
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
  "$root/build/tsan/tests/unit/consumers/consumers_test" --gtest_brief=1 || failed=1
  "$root/build/tsan/tests/unit/app/app_test" --gtest_brief=1 --gtest_filter='PipelineThreads*' ||
    failed=1
  echo "== time: tsan $((SECONDS - t0))s" >&2
fi
# --- reliability (issue 13): a short libFuzzer run of each target ---
if [[ "${NEWSFLOW_SKIP_FUZZ:-0}" != "1" ]]; then
  echo "== fuzz: ${NEWSFLOW_FUZZ_SECONDS:-20}s per target (ops/fuzz.sh)" >&2
  t0=$SECONDS
  "$root/ops/fuzz.sh" "${NEWSFLOW_FUZZ_SECONDS:-20}" || failed=1
  echo "== time: fuzz $((SECONDS - t0))s" >&2
fi
# --- end reliability ---

# --- 6. The operating kit (issue 15): rules, dashboard, chart, image -------------------------
# Slow tools are built once and cached under ${XDG_CACHE_HOME:-$HOME/.cache}/newsflow/.
stage() {  # NAME SKIP-VARIABLE: prints the header and the time; returns 1 when skipped
  if [[ "${!2:-0}" == "1" ]]; then echo "== $1: skipped ($2=1)" >&2; return 1; fi
  echo "== $1 ($2=1 skips it)" >&2
}
stage_done() { echo "== $1: $2 in $((SECONDS - $3)) s" >&2; }
if stage "rules: promtool check/test, runbook links" NEWSFLOW_SKIP_RULES; then
  t=$SECONDS r=ok
  "$root/ops/prometheus/test-rules.sh" || { failed=1; r=FAILED; }
  stage_done rules $r $t
fi
if stage "dashboard: generated JSON; every query and recording rule against a real Prometheus" \
  NEWSFLOW_SKIP_DASHBOARD; then
  t=$SECONDS r=ok
  start_broker
  { "$root/ops/grafana/dashboard.sh" --check &&
    "$root/ops/prometheus/live-test.sh" "$root/build/dev/app/newsflow" "$brokers"; } ||
    { failed=1; r=FAILED; }
  stage_done dashboard $r $t
fi
if stage "chart: lint, template, schema rejections, helm-unittest, kubeconform, validate-config" \
  NEWSFLOW_SKIP_CHART; then
  t=$SECONDS r=ok
  "$root/ops/chart-test.sh" "$root/build/dev/app/newsflow" || { failed=1; r=FAILED; }
  stage_done chart $r $t
fi
# The server-side dry run needs etcd and kube-apiserver (built from the Go module proxy, ~8 min
# the first time): it runs when both are cached or with NEWSFLOW_KUBE_DRY_RUN=1 (which builds
# them); NEWSFLOW_KUBE_DRY_RUN=0 skips it.
if [[ "${NEWSFLOW_KUBE_DRY_RUN:-}" == "1" ]] ||
  { [[ "${NEWSFLOW_KUBE_DRY_RUN:-}" != "0" && "${NEWSFLOW_SKIP_CHART:-0}" != "1" ]] &&
    "$root/ops/tools/go-tools.sh" --cached etcd kube-apiserver; }; then
  echo "== kube-dry-run: the chart against a real kube-apiserver (dryRun=All)" >&2
  t=$SECONDS r=ok
  "$root/ops/kube-dry-run.sh" || { failed=1; r=FAILED; }
  stage_done kube-dry-run $r $t
else
  echo "== kube-dry-run: skipped (NEWSFLOW_KUBE_DRY_RUN=0, NEWSFLOW_SKIP_CHART=1, or etcd and" \
    "kube-apiserver not cached; NEWSFLOW_KUBE_DRY_RUN=1 builds them and runs it)" >&2
fi
if stage "image: ops/image.sh, then --version, demo, non-root, run on the broker" \
  NEWSFLOW_SKIP_IMAGE; then
  t=$SECONDS r=ok
  start_broker
  { image="$("$root/ops/image.sh")" &&
    "$root/ops/container/image-test.sh" "$image" "$brokers" \
      "$("$root/ops/tools/go-tools.sh" helm)"; } || { failed=1; r=FAILED; }
  stage_done image $r $t
fi
if [[ "${NEWSFLOW_SLIM_README:-0}" == "1" ]]; then
  echo "== slim: the README commands on a minimal Debian 12 container" >&2
  t=$SECONDS r=ok
  "$root/ops/container/slim-readme-test.sh" NEWSFLOW_SKIP_ASAN=1 || { failed=1; r=FAILED; }
  stage_done slim $r $t
fi
exit "$failed"
