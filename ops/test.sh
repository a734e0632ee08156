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
#   3. asan preset (AddressSanitizer + UBSan): unit and golden tests.
#   4. tsan preset (ThreadSanitizer): the Kafka engine's tests (queue, workers, sequencer,
#      delivery, revocation, poll loop) and one pipeline shared by four threads.
#      NEWSFLOW_SKIP_TSAN=1 skips it.
#   5. fuzz: each libFuzzer target for NEWSFLOW_FUZZ_SECONDS (20) through ops/fuzz.sh (clang,
#      build/fuzz); NEWSFLOW_SKIP_FUZZ=1 skips it.
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

if [[ "${NEWSFLOW_SKIP_INTEGRATION:-0}" != "1" ]]; then
  echo "== starting the local Kafka broker (ops/kafka/local-kafka.sh)" >&2
  brokers="$("$root/ops/kafka/local-kafka.sh" start | tail -n 1)"
  trap '"$root/ops/kafka/local-kafka.sh" stop >&2 || true' EXIT
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
  echo "== ctest (asan): unit and golden" >&2
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
exit "$failed"
