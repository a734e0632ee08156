#!/usr/bin/env bash
# Makes (once) a Python venv with ops/tools/requirements.txt under
# ${XDG_CACHE_HOME:-$HOME/.cache}/newsflow/venv and prints its python. Reinstalls when the
# requirements change (their hash is kept in the venv).
set -euo pipefail
here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
venv="${XDG_CACHE_HOME:-$HOME/.cache}/newsflow/venv"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [[ "$(cat "$venv/.requirements.sha256" 2>/dev/null)" != "$want" ]]; then
  echo "py-venv: installing ops/tools/requirements.txt into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt" >&2
  echo "$want" >"$venv/.requirements.sha256"
fi
echo "$venv/bin/python"
