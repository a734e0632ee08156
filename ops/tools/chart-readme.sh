#!/usr/bin/env bash
# Regenerates the values table of helm/newsflow/README.md from values.yaml (--check: only
# compares, exits 1 when out of date; ops/test.sh runs the check).
set -euo pipefail
here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
exec "$("$here/py-venv.sh")" "$here/chart_readme.py" "$@" "$here/../../helm/newsflow"
