#!/usr/bin/env bash
# The README's test command: installs what is needed, builds, and runs every test suite.
#   1. dev preset (warnings are errors): unit, golden and corpus tests through ctest;
#   2. asan preset (AddressSanitizer + UBSan): unit and golden tests.
# Integration tests against a real Kafka broker join here with the Kafka runtime.
# Exits non-zero if anything fails.
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jobs="${NEWSFLOW_TEST_JOBS:-$(nproc)}"

"$root/ops/build.sh" dev
echo "== ctest (dev): all labels" >&2
ctest --preset dev -j "$jobs"

if [[ "${NEWSFLOW_SKIP_ASAN:-0}" != "1" ]]; then
  "$root/ops/build.sh" asan
  echo "== ctest (asan): unit and golden" >&2
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --preset asan -j "$jobs"
fi
