#!/usr/bin/env bash
# Builds, once, the Go tools the operating-kit tests use and caches the binaries under
# ${XDG_CACHE_HOME:-$HOME/.cache}/newsflow/tools/<name>-<version>/, so later runs skip the build.
#   ops/tools/go-tools.sh TOOL...   TOOL: helm | kubeconform | helm-unittest | etcd | kube-apiserver
#   ops/tools/go-tools.sh --cached TOOL...   prints nothing and exits 1 unless all are cached
# Prints one line per TOOL: the absolute path of its binary. Build output goes to stderr.
#
# Sources: the Go module proxy only (`go install` / `go build` of pinned versions).
#   helm           helm.sh/helm/v4/cmd/helm          (~4 min cold on 2 cores)
#   kubeconform    github.com/yannh/kubeconform/cmd/kubeconform
#   helm-unittest  github.com/helm-unittest/helm-unittest/cmd/helm-unittest, built inside the
#                  wrapper module ops/tools/helm-unittest/ (a plain `go install` refuses the
#                  module because its go.mod has a `replace` directive; the wrapper copies it).
#   etcd           go.etcd.io/etcd/server/v3 in the wrapper module ops/tools/etcd/ (~2 min)
#   kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver in the wrapper module
#                  ops/tools/kube-apiserver/, which pins the k8s.io/* staging modules
#                  (~6 min cold); both only for the optional ops/kube-dry-run.sh.
# Needs Go >= 1.26 (/usr/local/go/bin is added to PATH when present).
set -euo pipefail
here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/newsflow/tools"
export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "go-tools: no Go toolchain on PATH" >&2; exit 1; }

HELM_VERSION=v4.3.2
KUBECONFORM_VERSION=v0.7.0
HELM_UNITTEST_VERSION=v1.1.2  # must match ops/tools/helm-unittest/go.mod
ETCD_VERSION=v3.6.6           # must match ops/tools/etcd/go.mod
KUBE_APISERVER_VERSION=v1.34.4  # must match ops/tools/kube-apiserver/go.mod

build_one() {
  local name="$1" version pkg dir
  case "$name" in
    helm) version=$HELM_VERSION pkg=helm.sh/helm/v4/cmd/helm ;;
    kubeconform) version=$KUBECONFORM_VERSION pkg=github.com/yannh/kubeconform/cmd/kubeconform ;;
    helm-unittest) version=$HELM_UNITTEST_VERSION pkg=github.com/helm-unittest/helm-unittest/cmd/helm-unittest ;;
    etcd) version=$ETCD_VERSION pkg=go.etcd.io/etcd/server/v3 ;;
    kube-apiserver) version=$KUBE_APISERVER_VERSION pkg=k8s.io/kubernetes/cmd/kube-apiserver ;;
    *) echo "go-tools: unknown tool '$name'" >&2; return 2 ;;
  esac
  dir="$cache/$name-$version"
  if [[ ! -x "$dir/$name" ]]; then
    echo "go-tools: building $name $version (cached afterwards in $dir)" >&2
    mkdir -p "$dir"
    local start=$SECONDS
    if [[ -d "$here/$name" ]]; then  # built inside its wrapper module
      (cd "$here/$name" && CGO_ENABLED=0 go build -trimpath -o "$dir/$name.tmp" "$pkg") >&2
    else
      CGO_ENABLED=0 GOBIN="$dir/.gobin" go install -trimpath "$pkg@$version" >&2
      mv "$dir/.gobin/$name" "$dir/$name.tmp" && rmdir "$dir/.gobin"
    fi
    mv "$dir/$name.tmp" "$dir/$name"
    echo "go-tools: built $name in $((SECONDS - start)) s" >&2
  fi
  echo "$dir/$name"
}

if [[ "${1:-}" == --cached ]]; then
  shift
  for tool in "$@"; do
    case "$tool" in
      helm) v=$HELM_VERSION ;; kubeconform) v=$KUBECONFORM_VERSION ;;
      helm-unittest) v=$HELM_UNITTEST_VERSION ;; etcd) v=$ETCD_VERSION ;;
      kube-apiserver) v=$KUBE_APISERVER_VERSION ;; *) exit 2 ;;
    esac
    [[ -x "$cache/$tool-$v/$tool" ]] || exit 1
  done
  exit 0
fi
for tool in "$@"; do build_one "$tool"; done
