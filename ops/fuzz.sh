#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang + ASan/UBSan in build/fuzz and runs each
# for a while on a corpus seeded from samples/ and config/.
#   ops/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 300 s; all four targets)
# ops/test.sh runs it with 20 s per target. Corpora grow in build/fuzz/corpus/<target>/ (kept
# between runs); a crash leaves build/fuzz/artifacts/<target>/crash-* and makes this exit 1.
# Environment: NEWSFLOW_FUZZ_JOBS (build jobs, default nproc).
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
case "${1:-}" in
  -h | --help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
seconds="${1:-300}"
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: SECONDS_PER_TARGET must be a whole number, not '$seconds' (--help)" >&2; exit 64; }
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(decode_fuzz normalize_fuzz taxonomy_fuzz config_fuzz)

"$root/ops/install-deps.sh"
build="$root/build/fuzz"
# pointer-overflow stays recoverable so that tests/fuzz/ubsan.supp can suppress RapidJSON's
# known report; every other UBSan check aborts (and halt_on_error=1 below aborts on any
# unsuppressed report).
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fsanitize-recover=pointer-overflow -fno-omit-frame-pointer"
# (Re)configure when absent or configured with other flags.
if [[ ! -f "$build/build.ninja" ]] || ! grep -qF -- "$flags" "$build/CMakeCache.txt"; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
    -DCMAKE_C_COMPILER_LAUNCHER="$(command -v ccache || true)" \
    -DCMAKE_CXX_COMPILER_LAUNCHER="$(command -v ccache || true)" \
    -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_C_FLAGS="$flags" \
    -DNEWSFLOW_FUZZ=ON -DNEWSFLOW_BUILD_TESTS=OFF -DNEWSFLOW_BUILD_BENCH=OFF \
    -DNEWSFLOW_TCMALLOC=OFF -DNEWSFLOW_WERROR=OFF >&2
fi
cmake --build "$build" -j "${NEWSFLOW_FUZZ_JOBS:-$(nproc)}" --target "${targets[@]}" >&2

# Seed corpora: one file per sample record / config file.
seed() {
  local target="$1" dir="$build/corpus/$1"
  mkdir -p "$dir"
  case "$target" in
    decode_fuzz | normalize_fuzz)
      local i=0
      while IFS= read -r line; do
        printf '%s' "$line" >"$dir/seed-$i"
        i=$((i + 1))
      done < <(cat samples/*.jsonl)
      for f in samples/*.txt tests/data/*.txt; do [[ -f "$f" ]] && cp -f "$f" "$dir/"; done
      ;;
    taxonomy_fuzz)
      # First byte selects the file the input replaces (see taxonomy_fuzz.cc).
      local i=0
      for f in config/taxonomy/taxonomy.yaml config/taxonomy/*/*.yaml; do
        { printf "\\x$(printf %02x "$i")"; cat "$f"; } >"$dir/seed-$i"
        i=$((i + 1))
      done
      ;;
    config_fuzz)
      cp -f config/newsflow.yaml "$dir/seed-default.yaml"
      ;;
  esac
}

export UBSAN_OPTIONS="suppressions=$root/tests/fuzz/ubsan.supp:halt_on_error=1:print_stacktrace=1"
failed=0
for target in "${targets[@]}"; do
  seed "$target"
  mkdir -p "$build/artifacts/$target"
  echo "== fuzz: $target for ${seconds}s" >&2
  if ! "$build/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
    -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$target/" "$build/corpus/$target" \
    2>"$build/$target.log"; then
    echo "fuzz: $target FAILED; see $build/$target.log and $build/artifacts/$target/" >&2
    tail -n 40 "$build/$target.log" >&2
    failed=1
  else
    grep -E '^stat::number_of_executed_units|^stat::new_units_added|^stat::peak_rss_mb' \
      "$build/$target.log" | sed "s/^/fuzz: $target /" >&2 || true
  fi
done
exit "$failed"
