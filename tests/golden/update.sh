#!/usr/bin/env bash
# Regenerates tests/golden/*/expected*.json from the current code. Review `git diff` afterwards:
# every change in it must be one you intended.
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)"
preset="${1:-dev}"
cmake --build "$root/build/$preset" --target golden_test
NEWSFLOW_UPDATE_GOLDEN=1 "$root/build/$preset/tests/golden/golden_test" --gtest_brief=1
git -C "$root" status --short tests/golden
