#!/usr/bin/env bash
# The README's run command. Installs what is needed, builds (release preset) and runs newsflow.
# With no arguments it runs the main job on the built-in default: `newsflow demo`, the Kafka
# runtime on an in-process broker with the bundled sample articles, enriched events and dead
# letters on stdout, summary on stderr. Any arguments are passed to newsflow:
#   ops/run.sh process my-articles.jsonl --dead-letter rejects.jsonl
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/ops/build.sh" release
bin="$root/build/release/app/newsflow"
if [[ $# -eq 0 ]]; then
  # The whole Kafka path on an in-process broker with the bundled samples (see `newsflow demo
  # --help`); for the offline pipeline only: ops/run.sh process samples/articles.jsonl
  exec "$bin" demo
fi
exec "$bin" "$@"
