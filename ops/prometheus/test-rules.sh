#!/usr/bin/env bash
# The rules stage of ops/test.sh: promtool check rules, promtool test rules (every alert firing
# and staying silent), and every alert's runbook_url leading to a complete ops/RUNBOOK.md section.
set -euo pipefail
here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
promtool check rules newsflow-rules.yaml
promtool test rules newsflow-rules.test.yaml
"$("$here/../tools/py-venv.sh")" check_runbook.py newsflow-rules.yaml ../RUNBOOK.md
