//go:build tools

// Package crdschemas only pins the API type packages controller-gen reads (see go.mod).
package crdschemas

import (
	_ "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	_ "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
)
