#!/usr/bin/env bash
# Configures and builds one CMake preset (default: release). Installs dependencies first.
#   ops/build.sh [PRESET] [extra cmake --build args...]
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
preset="${1:-release}"
shift || true
"$root/ops/install-deps.sh"
cd "$root"
if [[ ! -f "build/$preset/build.ninja" ]]; then
  cmake --preset "$preset" >&2
fi
jobs="${NEWSFLOW_BUILD_JOBS:-$(nproc)}"
cmake --build --preset "$preset" -j "$jobs" "$@" >&2
