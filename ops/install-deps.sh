#!/usr/bin/env bash
# Installs everything newsflow needs to build, test and run, from Debian 12 packages.
# Idempotent: packages already installed are left alone, and apt-get runs only when
# something is missing. Needs root (or sudo).
#   ops/install-deps.sh [GROUP...]   the default set, plus optional groups:
#     image  podman, buildah, mmdebstrap, runc (ops/image.sh; ops/test.sh's operate stages)
# Works on a minimal Debian 12 (debian:bookworm-slim and the like): see the man1 note below.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git clang-format clang-tidy
  # libraries (see README.md, "Dependencies")
  librdkafka-dev rapidjson-dev libicu-dev prometheus-cpp-dev libgtest-dev libgmock-dev
  libbenchmark-dev libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev libstemmer-dev
  libcld2-dev libgumbo-dev libxxhash-dev zlib1g-dev libcurl4-openssl-dev libgoogle-perftools-dev
  libssl-dev
  # fuzzing (tests/fuzz, ops/fuzz.sh): clang with libFuzzer
  clang-14 libclang-rt-14-dev
  # tools used by tests and ops: Kafka CLI client, promtool, the local broker's JVM + Maven
  kcat prometheus curl openjdk-17-jre-headless maven python3
  # the operating-kit tests' Python tools run in a venv (ops/tools/py-venv.sh)
  python3-venv
  # the gazetteer generator (ops/gazetteer/generate.py) and its up-to-date test
  python3-yaml iso-codes unicode-cldr-core
  hunspell-en-us hunspell-ru hunspell-uk hunspell-de-de hunspell-fr hunspell-es hunspell-ar
  hunspell-he hunspell-tr
)
for group in "$@"; do
  case "$group" in
    # slirp4netns: the network of a container with its own namespace (slim-readme-test.sh);
    # a Recommends of podman, which --no-install-recommends leaves out.
    image) packages+=(podman buildah mmdebstrap runc uidmap slirp4netns) ;;
    *) echo "install-deps: unknown group '$group' (known: image)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Java and Maven may come from elsewhere than Debian (e.g. a JDK already on the machine).
filtered=()
for p in "${missing[@]}"; do
  case "$p" in
    openjdk-17-jre-headless) command -v java >/dev/null 2>&1 && continue ;;
    maven) command -v mvn >/dev/null 2>&1 && continue ;;
    python3) command -v python3 >/dev/null 2>&1 && continue ;;
  esac
  filtered+=("$p")
done
missing=("${filtered[@]+"${filtered[@]}"}")

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all packages present" >&2
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Minimal images (debian:bookworm-slim, mmdebstrap minbase with the slim dpkg excludes) have no
# /usr/share/man: the JRE's post-install registers man pages with update-alternatives and fails
# ("error creating symbolic link '/usr/share/man/man1/java.1.gz...'") without these folders.
$SUDO mkdir -p /usr/share/man/man1
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
echo "install-deps: done" >&2
