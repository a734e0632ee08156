#!/usr/bin/env bash
# The README's two commands on a minimal Debian 12 (the slim base ops/image.sh makes, nothing
# installed): copies the committed tree (git archive HEAD) into a fresh container and runs
# `ops/run.sh` (install-deps, release build, demo) and then `ops/test.sh` in it. Slow (two
# builds from scratch without ccache, plus the Kafka jars): not part of ops/test.sh by default;
# ops/test.sh runs it when NEWSFLOW_SLIM_README=1.
#   ops/container/slim-readme-test.sh [VAR=VALUE...]   environment for ops/test.sh inside, e.g.
#                                                      NEWSFLOW_SKIP_ASAN=1
# The container has its own network namespace (slirp4netns: the registries are reachable, its
# loopback is its own), so its Kafka broker does not meet the host's. Maven inside it has none of
# the machine's Maven configuration, so the Kafka broker jars this machine already fetched
# (${XDG_CACHE_HOME:-$HOME/.cache}/newsflow/kafka-*) are copied in when present.
# NEWSFLOW_SLIM_STEPS="run test" (default) chooses which README commands run.
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$root/ops/container/podman-env.sh"
newsflow_podman_env
podman image exists localhost/debian:bookworm-slim || "$root/ops/image.sh" >/dev/null
name="newsflow-slim-readme-$$"
trap 'podman rm -f "$name" >/dev/null 2>&1 || true' EXIT
env_args=(-e NEWSFLOW_SKIP_RULES=1 -e NEWSFLOW_SKIP_DASHBOARD=1 -e NEWSFLOW_SKIP_CHART=1 -e NEWSFLOW_SKIP_IMAGE=1)
for kv in "$@"; do env_args+=(-e "$kv"); done
steps="${NEWSFLOW_SLIM_STEPS:-run test}"
# The host's CA bundle for the container's TLS clients (pip fetching the ops/tools venv from
# PyPI): a host whose egress inspects TLS (its own CA in /usr/local/share/ca-certificates) makes
# the container's stock bundle refuse PyPI's certificate, which a machine with direct access
# would accept. apt uses plain HTTP and the Kafka jars are copied in, so only pip needs it.
if [[ -r /etc/ssl/certs/ca-certificates.crt ]]; then
  env_args+=(-v /etc/ssl/certs/ca-certificates.crt:/host-ca.crt:ro -e PIP_CERT=/host-ca.crt
    -e SSL_CERT_FILE=/host-ca.crt -e REQUESTS_CA_BUNDLE=/host-ca.crt)
fi
start=$SECONDS
{
  git -C "$root" archive --format=tar --prefix=src/ HEAD
} >"$NEWSFLOW_CONTAINERS_DIR/slim-src.tar"
jars=()
cache="${XDG_CACHE_HOME:-$HOME/.cache}/newsflow"
for d in "$cache"/kafka-*; do [[ -f "$d/lib.stamp" ]] && jars+=("$d"); done
{
  cat "$NEWSFLOW_CONTAINERS_DIR/slim-src.tar"
} | podman run -i --name "$name" --network slirp4netns "${env_args[@]}" \
  ${jars[@]+$(for d in "${jars[@]}"; do printf -- '-v %s:/jars/%s:ro ' "$d" "$(basename "$d")"; done)} \
  -e STEPS="$steps" localhost/debian:bookworm-slim \
  bash -c 'set -euo pipefail; cd /; tar -x; cd /src
    # A Debian 12 machine as installed: the base image dpkg excludes (no locales, docs, man
    # pages) would leave out what packages bring there, e.g. the iso-codes translations that
    # the gazetteer generator reads, so its up-to-date test would fail only here.
    sed -i "/^path-exclude/d; /^path-include/d" /etc/dpkg/dpkg.cfg.d/* 2>/dev/null || true
    if [ -d /jars ]; then mkdir -p /root/.cache/newsflow && cp -r /jars/* /root/.cache/newsflow/; fi
    case " $STEPS " in *" run "*)
      echo "== slim: ops/run.sh" >&2
      ops/run.sh >/tmp/run.out 2>/tmp/run.err || { tail -30 /tmp/run.err >&2; exit 1; }
      grep "newsflow demo:" /tmp/run.err >&2 ;;
    esac
    case " $STEPS " in *" test "*)
      echo "== slim: ops/test.sh" >&2
      ops/test.sh ;;
    esac'
rm -f "$NEWSFLOW_CONTAINERS_DIR/slim-src.tar"
echo "slim-readme-test: README commands ($steps) passed on a minimal Debian 12 in $((SECONDS - start)) s" >&2
