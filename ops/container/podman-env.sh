# Sourced by ops/image.sh and ops/test.sh: a self-contained podman setup for this project.
# Everything podman keeps (images, layers, the build cache) lives under
#   ${XDG_CACHE_HOME:-$HOME/.cache}/newsflow/containers/
# so a second run reuses the base image and the cached layers; the machine's own
# /etc/containers is left alone. Settings (verified on Debian 12 hosts with hybrid cgroups):
#   runtime = "runc"            crun 1.8 (Debian 12) rejects hybrid cgroup hierarchies
#   cgroup_manager = "cgroupfs" no systemd needed
#   default_ulimits             nofile 20000 (librdkafka and the demo's in-process broker open
#                               many sockets) and nproc 4096: podman's own default nproc for
#                               root (1048576) makes runc fail with "error setting rlimit type
#                               6: operation not permitted" in sandboxed hosts (seen here: any
#                               value from 50000 up fails, 10000 works)
# Override the storage driver with NEWSFLOW_PODMAN_STORAGE_DRIVER (default overlay; vfs works
# everywhere but copies every layer).
newsflow_podman_env() {
  local dir="${XDG_CACHE_HOME:-$HOME/.cache}/newsflow/containers"
  mkdir -p "$dir/storage" "$dir/run"
  cat >"$dir/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
netns = "host"
log_driver = "k8s-file"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  cat >"$dir/storage.conf" <<CONF
[storage]
driver = "${NEWSFLOW_PODMAN_STORAGE_DRIVER:-overlay}"
graphroot = "$dir/storage"
runroot = "$dir/run"
CONF
  export CONTAINERS_CONF="$dir/containers.conf"
  export CONTAINERS_STORAGE_CONF="$dir/storage.conf"
  export NEWSFLOW_CONTAINERS_DIR="$dir"
}
