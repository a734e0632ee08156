//go:build tools

// Package kubeapiserver only pins what the wrapper module builds (see go.mod).
package kubeapiserver

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
