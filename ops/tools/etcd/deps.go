//go:build tools

// Package etcd only pins what the wrapper module builds (see go.mod).
package etcd

import _ "go.etcd.io/etcd/server/v3"
