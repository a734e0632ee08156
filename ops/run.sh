#!/usr/bin/env bash
# The README's run command. Installs what is needed, builds (release preset) and runs newsflow.
# With no arguments it runs the main job on the built-in default: the bundled sample articles
# through the full pipeline, enriched events on stdout. Any arguments are passed to newsflow:
#   ops/run.sh process my-articles.jsonl --dead-letter rejects.jsonl
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/ops/build.sh" release
bin="$root/build/release/app/newsflow"
if [[ $# -eq 0 ]]; then
  exec "$bin" process "$root/samples/articles.jsonl" "$root/samples/seed_ar.txt" \
    --dead-letter /dev/stderr
fi
exec "$bin" "$@"
