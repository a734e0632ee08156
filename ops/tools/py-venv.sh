#!/usr/bin/env bash
# Makes (once) a Python venv with ops/tools/requirements.txt under
# ${XDG_CACHE_HOME:-$HOME/.cache}/newsflow/venv-<hash of the requirements> and prints its python.
# One venv per requirements content, so checkouts with different requirements (branches, CI
# clones) never rebuild each other's venv; concurrent callers wait on a lock, and a venv counts
# only once its install finished (marker file .complete).
set -euo pipefail
here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/newsflow"
want="$(sha256sum "$here/requirements.txt" | cut -c1-16)"
venv="$cache/venv-$want"
if [[ ! -f "$venv/.complete" ]]; then
  mkdir -p "$cache"
  exec 9>"$cache/venv.lock"
  flock 9
  if [[ ! -f "$venv/.complete" ]]; then
    echo "py-venv: installing ops/tools/requirements.txt into $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt" >&2 ||
      { rm -rf "$venv"; exit 1; }
    touch "$venv/.complete"
  fi
  exec 9>&-
fi
echo "$venv/bin/python"
