#!/usr/bin/env bash
# Compares what two newsflow binaries write for the same inputs: enriched events, dead letters
# and the summary counts of `newsflow process`, on the bundled samples, the golden inputs and
# (when present) the labelled corpora under ../shared/corpus. For refactorings that must not
# change any output byte ("newsflow process output is byte-identical before and after").
#   ops/dev/output-diff.sh OLD_BINARY NEW_BINARY
# Exits 0 when every output is identical, 1 and prints the first differences otherwise.
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)"
old="${1:?usage: output-diff.sh OLD_BINARY NEW_BINARY}"
new="${2:?usage: output-diff.sh OLD_BINARY NEW_BINARY}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

inputs=("$root/samples/articles.jsonl" "$root/samples/seed_ar.txt")
while IFS= read -r f; do inputs+=("$f"); done < <(find "$root/tests/golden" -name 'input.*' | sort)
for f in "$root"/../shared/corpus/*/*.jsonl; do [[ -f "$f" ]] && inputs+=("$f"); done

differ=0
for input in "${inputs[@]}"; do
  for side in old new; do
    bin="$old"; [[ $side == new ]] && bin="$new"
    "$bin" process --processed-at 2026-01-01T00:00:00Z --dead-letter "$work/$side.dead" \
      "$input" > "$work/$side.out" 2> "$work/$side.err" || true
    # The summary's counts, without its timing.
    sed -E 's/ in [0-9.]+ s.*//' "$work/$side.err" > "$work/$side.summary"
    # The pipeline version is the binary's own; everything else must match.
    sed -i -E 's/"pipeline_version":"[^"]*"/"pipeline_version":"*"/' "$work/$side.out"
  done
  for part in out dead summary; do
    if ! cmp -s "$work/old.$part" "$work/new.$part"; then
      echo "DIFFERS: ${input#$root/} ($part)"
      diff <(head -c 3000 "$work/old.$part") <(head -c 3000 "$work/new.$part") | head -20 || true
      differ=1
    fi
  done
  echo "same: ${input#$root/} ($(wc -l < "$work/new.out") events, $(wc -l < "$work/new.dead") dead letters)"
done
exit "$differ"
