#!/usr/bin/env bash
# Copies one dynamically linked executable and every shared library it loads (as ldd resolves
# them, symlinks dereferenced, under their real directories) into a root-filesystem folder, for
# the FROM scratch runtime stage of the Containerfile.
#   collect-runtime.sh BINARY DESTDIR
# Also adds what the dynamic loader and librdkafka's TLS need at run time: the /lib and /lib64
# links of a merged-/usr system, the CA bundle and OpenSSL's configuration.
set -euo pipefail
bin="$1" dest="$2"
mkdir -p "$dest/usr/bin" "$dest/usr/lib" "$dest/usr/lib64" "$dest/etc/ssl/certs" "$dest/tmp"
chmod 1777 "$dest/tmp"
install -m 0755 "$bin" "$dest/usr/bin/$(basename "$bin")"
strip --strip-unneeded "$dest/usr/bin/$(basename "$bin")"
ln -sfn usr/lib "$dest/lib"
ln -sfn usr/lib64 "$dest/lib64"
ln -sfn usr/bin "$dest/bin"
ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | sort -u |
  while read -r lib; do
    dir="$(realpath "$(dirname "$lib")")"
    mkdir -p "$dest$dir"
    cp -L "$lib" "$dest$dir/$(basename "$lib")"
    echo "collect-runtime: $dir/$(basename "$lib")" >&2
  done
# TLS to Kafka (security.protocol SSL / SASL_SSL): OpenSSL's default paths point here.
cp -L /etc/ssl/certs/ca-certificates.crt "$dest/etc/ssl/certs/"
cp -L /usr/lib/ssl/openssl.cnf "$dest/etc/ssl/openssl.cnf"
mkdir -p "$dest/usr/lib/ssl"
ln -sfn /etc/ssl/certs "$dest/usr/lib/ssl/certs"
ln -sfn /etc/ssl/openssl.cnf "$dest/usr/lib/ssl/openssl.cnf"
ln -sfn /etc/ssl/certs/ca-certificates.crt "$dest/usr/lib/ssl/cert.pem"
# A user the runtime runs as (numeric in the image config, so Kubernetes can check runAsNonRoot).
printf 'root:x:0:0:root:/root:/sbin/nologin\nnewsflow:x:10001:10001:newsflow:/nonexistent:/sbin/nologin\n' \
  >"$dest/etc/passwd"
printf 'root:x:0:\nnewsflow:x:10001:\n' >"$dest/etc/group"
