#!/usr/bin/env bash
# Prepares (once, then cached) the schemas kubeconform validates the chart against, offline:
#   ops/tools/kube-schemas.sh   prints two kubeconform -schema-location templates, one a line,
#                               and the folder of the CRD YAML files (for ops/kube-dry-run.sh)
# - Kubernetes $NEWSFLOW_KUBE_VERSION (default v1.34.0) from PyPI's kubernetes-validate
#   (ops/tools/requirements.txt), "$id" removed and refs made relative;
# - the CRDs of prometheus-operator (ServiceMonitor, PodMonitor) and KEDA (ScaledObject,
#   TriggerAuthentication), generated from their Go API types by controller-gen in the wrapper
#   module ops/tools/crd-schemas/ (versions pinned in its go.mod), then made strict.
set -euo pipefail
here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
kube_version="${NEWSFLOW_KUBE_VERSION:-v1.34.0}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/newsflow/schemas"
python="$("$here/py-venv.sh")"
export PATH="$PATH:/usr/local/go/bin"

k8s_dir="$cache/kubernetes-$kube_version"
if [[ ! -f "$k8s_dir/.done" ]]; then
  rm -rf "$k8s_dir"
  "$python" "$here/kube_schemas.py" k8s "$kube_version" "$k8s_dir"
  touch "$k8s_dir/.done"
fi

crd_key="$(cat "$here/crd-schemas/go.mod" "$here/crd-schemas/go.sum" "$here/kube_schemas.py" "$0" | sha256sum | cut -c1-16)"
crd_dir="$cache/crds-$crd_key"
if [[ ! -f "$crd_dir/.done" ]]; then
  rm -rf "$crd_dir"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  echo "kube-schemas: generating CRDs with controller-gen (cached afterwards in $crd_dir)" >&2
  start=$SECONDS
  (cd "$here/crd-schemas" &&
    go tool controller-gen crd:crdVersions=v1 \
      paths=github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1 \
      output:crd:dir="$tmp/prometheus-operator" &&
    go tool controller-gen crd:crdVersions=v1 \
      paths=github.com/kedacore/keda/v2/apis/keda/v1alpha1 \
      output:crd:dir="$tmp/keda") >&2
  crds=("$tmp/prometheus-operator/monitoring.coreos.com_servicemonitors.yaml"
    "$tmp/prometheus-operator/monitoring.coreos.com_podmonitors.yaml"
    "$tmp/keda/keda.sh_scaledobjects.yaml" "$tmp/keda/keda.sh_triggerauthentications.yaml")
  "$python" "$here/kube_schemas.py" crd "$crd_dir" "${crds[@]}"
  mkdir -p "$crd_dir/crds" && cp "${crds[@]}" "$crd_dir/crds/"  # for ops/kube-dry-run.sh
  touch "$crd_dir/.done"
  echo "kube-schemas: CRDs in $((SECONDS - start)) s" >&2
fi
echo "$k8s_dir/{{ .ResourceKind }}{{ .KindSuffix }}.json"
echo "$crd_dir/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json"
echo "$crd_dir/crds"
