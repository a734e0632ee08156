# Sourced (not run) by the ops/ test scripts that start background processes:
#   work          a scratch directory (mktemp -d), removed on exit
#   pids          the processes started: append each with `pids+=($!)`; on exit all are killed,
#                 then reaped, before the directory is removed
#   free_port     prints a free loopback TCP port (asks the kernel through $python)
#   wait_http URL SECONDS [CURL_ARGS...]
#                 waits until URL answers 2xx; prints what failed to stderr and returns 1 after
#                 SECONDS
# The caller sets $python first (ops/tools/py-venv.sh) and runs under `set -euo pipefail`. The
# EXIT trap is this file's: a caller that needs more on exit wraps scratch_cleanup in its own.
work="$(mktemp -d)"
pids=()
scratch_cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap scratch_cleanup EXIT

free_port() {
  "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_http() {
  local url="$1" deadline=$((SECONDS + $2))
  shift 2
  until curl -fsS -o /dev/null "$@" "$url" 2>/dev/null; do
    if [[ $SECONDS -ge $deadline ]]; then
      echo "$(basename -- "$0"): $url did not answer 2xx in time" >&2
      return 1
    fi
    sleep 0.5
  done
}
