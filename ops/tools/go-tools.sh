#!/usr/bin/env bash
# Builds, once, the Go tools the operating-kit tests use and caches the binaries under
# ${XDG_CACHE_HOME:-$HOME/.cache}/newsflow/tools/<name>-<version>/, so later runs skip the build.
#   ops/tools/go-tools.sh TOOL...   TOOL: helm | kubeconform | helm-unittest
# Prints one line per TOOL: the absolute path of its binary. Build output goes to stderr.
#
# Sources: the Go module proxy only (`go install` / `go build` of pinned versions).
#   helm           helm.sh/helm/v4/cmd/helm          (~4 min cold on 2 cores)
#   kubeconform    github.com/yannh/kubeconform/cmd/kubeconform
#   helm-unittest  github.com/helm-unittest/helm-unittest/cmd/helm-unittest, built inside the
#                  wrapper module ops/tools/helm-unittest/ (a plain `go install` refuses the
#                  module because its go.mod has a `replace` directive; the wrapper copies it).
# Needs Go >= 1.26 (/usr/local/go/bin is added to PATH when present).
set -euo pipefail
here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/newsflow/tools"
export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "go-tools: no Go toolchain on PATH" >&2; exit 1; }

HELM_VERSION=v4.3.2
KUBECONFORM_VERSION=v0.7.0
HELM_UNITTEST_VERSION=v1.1.2  # must match ops/tools/helm-unittest/go.mod

build_one() {
  local name="$1" version pkg dir
  case "$name" in
    helm) version=$HELM_VERSION pkg=helm.sh/helm/v4/cmd/helm ;;
    kubeconform) version=$KUBECONFORM_VERSION pkg=github.com/yannh/kubeconform/cmd/kubeconform ;;
    helm-unittest) version=$HELM_UNITTEST_VERSION ;;
    *) echo "go-tools: unknown tool '$name'" >&2; return 2 ;;
  esac
  dir="$cache/$name-$version"
  if [[ ! -x "$dir/$name" ]]; then
    echo "go-tools: building $name $version (cached afterwards in $dir)" >&2
    mkdir -p "$dir"
    local start=$SECONDS
    if [[ "$name" == helm-unittest ]]; then
      (cd "$here/helm-unittest" &&
        CGO_ENABLED=0 go build -trimpath -o "$dir/$name.tmp" \
          github.com/helm-unittest/helm-unittest/cmd/helm-unittest) >&2
    else
      CGO_ENABLED=0 GOBIN="$dir/.gobin" go install -trimpath "$pkg@$version" >&2
      mv "$dir/.gobin/$name" "$dir/$name.tmp" && rmdir "$dir/.gobin"
    fi
    mv "$dir/$name.tmp" "$dir/$name"
    echo "go-tools: built $name in $((SECONDS - start)) s" >&2
  fi
  echo "$dir/$name"
}

for tool in "$@"; do build_one "$tool"; done
