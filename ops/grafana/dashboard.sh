#!/usr/bin/env bash
# Runs ops/grafana/dashboard.py in the ops tools' venv: no argument regenerates newsflow.json,
# --check compares, --exprs lists the PromQL expressions.
set -euo pipefail
here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
exec "$("$here/../tools/py-venv.sh")" "$here/dashboard.py" "$@"
