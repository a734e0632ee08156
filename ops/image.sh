#!/usr/bin/env bash
# Builds the newsflow container image with podman and tags it localhost/newsflow:<version> and
# localhost/newsflow:latest. Prints the image reference on stdout; progress goes to stderr.
#   ops/image.sh            build (reusing the cached base image and layers)
#   ops/image.sh --rebase   rebuild the base image from the Debian archive first
#
# 1. Installs podman, buildah, mmdebstrap and runc (ops/install-deps.sh image).
# 2. podman is configured by ops/container/podman-env.sh: runc, cgroupfs, nofile 20000, host
#    network, storage under ${XDG_CACHE_HOME:-$HOME/.cache}/newsflow/containers/.
# 3. The base image localhost/debian:bookworm-slim is made once (then cached) with mmdebstrap
#    --variant=minbase from the Debian archive this machine already uses (its own apt sources
#    files are passed in; no mirror is named here), merged /usr, no recommends, and the dpkg
#    excludes of the official debian:bookworm-slim (no man pages, docs, locales). With
#    SOURCE_DATE_EPOCH (default: the time of the last commit) the tarball is reproducible for a
#    given set of package versions.
# 4. podman build of ops/container/Containerfile (builder: ops/build.sh release; runtime: the
#    binary, its shared libraries and the default config, FROM scratch). The builder's ccache
#    lives in .../newsflow/containers/ccache, mounted into the build, so a source change
#    recompiles only what changed; an unchanged tree reuses every layer.
# With a registry, the same Containerfile builds unchanged: `podman build -f
# ops/container/Containerfile .` (or docker build) uses debian:bookworm-slim.
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rebase=0
[[ "${1:-}" == "--rebase" ]] && rebase=1

"$root/ops/install-deps.sh" image
# shellcheck source=container/podman-env.sh
source "$root/ops/container/podman-env.sh"
newsflow_podman_env
cache="$NEWSFLOW_CONTAINERS_DIR"

base=localhost/debian:bookworm-slim
if git -C "$root" rev-parse HEAD >/dev/null 2>&1; then
  revision="$(git -C "$root" rev-parse HEAD)"
  git -C "$root" diff --quiet HEAD -- 2>/dev/null || revision="$revision-dirty"
  export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct)}"
  source_url="$(git -C "$root" remote get-url origin 2>/dev/null || echo newsflow)"
else
  revision=unknown
  export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-0}"
  source_url=newsflow
fi
version="$(sed -n 's/^project(newsflow VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)"
created="$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)"

if [[ $rebase -eq 1 ]] || ! podman image exists "$base"; then
  sources=()
  if [[ -n "${NEWSFLOW_APT_SOURCES:-}" ]]; then
    read -r -a sources <<<"$NEWSFLOW_APT_SOURCES"
  else
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
      [[ -s "$f" ]] && sources+=("$f")
    done
  fi
  [[ ${#sources[@]} -gt 0 ]] || { echo "image: no apt sources on this machine" >&2; exit 1; }
  tar="$cache/debian-bookworm-slim.tar"
  echo "== image: base $base from ${sources[*]} (mmdebstrap minbase, SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH)" >&2
  start=$SECONDS
  # The dpkg excludes are those of the official slim images (and make the same trap: no
  # /usr/share/man, which Java's post-install needs; ops/install-deps.sh handles it).
  mmdebstrap --variant=minbase --mode=root --format=tar \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --aptopt='APT::Install-Recommends "false"' --aptopt='APT::Install-Suggests "false"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/groff/*' --dpkgopt='path-exclude=/usr/share/lintian/*' \
    --dpkgopt='path-exclude=/usr/share/linda/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    bookworm "$tar.tmp" "${sources[@]}" >&2
  mv "$tar.tmp" "$tar"
  echo "== image: base tarball sha256 $(sha256sum "$tar" | cut -d' ' -f1), $(du -m "$tar" | cut -f1) MB" >&2
  podman rmi -f "$base" >/dev/null 2>&1 || true
  podman import --change 'CMD ["bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$tar" "$base" >&2
  rm -f "$tar"
  echo "== image: base made in $((SECONDS - start)) s" >&2
fi

image="localhost/newsflow:$version"
mkdir -p "$cache/ccache"
echo "== image: building $image (revision $revision)" >&2
start=$SECONDS
build=(podman build --layers --network=host
  -f ops/container/Containerfile --ignorefile ops/container/Containerfile.dockerignore
  --build-arg BASE="$base"
  --build-arg NEWSFLOW_BUILD_JOBS="${NEWSFLOW_BUILD_JOBS:-$(nproc)}"
  -v "$cache/ccache:/ccache")
# The builder stage first, tagged, so its layers stay the cache of the next build while the
# previous generations (untagged now) are pruned below; it is also a minimal Debian 12 with
# everything ops/install-deps.sh installs (ops/test.sh runs the README commands in it).
"${build[@]}" --target builder -t localhost/newsflow-builder:latest . >&2
"${build[@]}" \
  --label org.opencontainers.image.version="$version" \
  --label org.opencontainers.image.revision="$revision" \
  --label org.opencontainers.image.source="$source_url" \
  --label org.opencontainers.image.created="$created" \
  -t "$image" -t localhost/newsflow:latest . >&2
podman image prune -f >/dev/null  # earlier builds' layers (about 2 GB each)
echo "== image: built $image in $((SECONDS - start)) s, $(podman image inspect --format '{{.Size}}' "$image") bytes" >&2
echo "$image"
