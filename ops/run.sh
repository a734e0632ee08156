#!/usr/bin/env bash
# The README's run command. Installs what is needed, builds the `newsflow` executable (release
# preset; only that target, not the tests and benchmarks) and runs it.
# With no arguments it runs the main job on the built-in default: `newsflow demo`, the Kafka
# runtime on an in-process broker with the bundled sample articles, enriched events and dead
# letters on stdout, summary on stderr. Any arguments are passed to newsflow:
#   ops/run.sh process my-articles.jsonl --dead-letter rejects.jsonl
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/ops/build.sh" release --target newsflow
bin="$root/build/release/app/newsflow"
if [[ $# -gt 0 ]]; then
  exec "$bin" "$@"
fi
# The whole Kafka path on an in-process broker with the bundled samples (see `newsflow demo
# --help`); for the offline pipeline only: ops/run.sh process samples/articles.jsonl
status=0
"$bin" demo || status=$?
cat >&2 <<'NEXT'

What next:
  ops/run.sh run --config my.yaml              the same runtime against your Kafka cluster
                                               (or NEWSFLOW_KAFKA_BROKERS=host:9092 ops/run.sh run)
  ops/run.sh process articles.jsonl            the offline pipeline over files (JSON Lines out)
  ops/run.sh explain article.txt               why an article got its topics and entities
  ops/run.sh config --dump                     every configuration option
  ops/test.sh                                  all tests (starts a local Kafka broker)
Docs: README.md (commands, configuration, guarantees), consumers/README.md (the Kafka runtime),
      config/taxonomy/README.md (entities and topics), schemas/README.md (the data contract).
NEXT
exit "$status"
