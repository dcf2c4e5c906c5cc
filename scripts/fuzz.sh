#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz preset: clang, ASan+UBSan) and runs each
# for FUZZ_SECONDS (default 30) starting from the committed seed corpus in
# fuzz/corpus/<target>. Any crash, sanitizer report, leak or timeout fails.
# New inputs go to build/fuzz/corpus/<target> (not committed).
# Usage: scripts/fuzz.sh [target ...]   (default: parse etf shell_parse)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(parse etf shell_parse)
seconds=${FUZZ_SECONDS:-30}
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j"$(nproc)"
for t in "${targets[@]}"; do
  work="build/fuzz/corpus/$t"
  mkdir -p "$work"
  echo "=== fuzzing $t for ${seconds}s ===" >&2
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "build/fuzz/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
    -print_final_stats=1 -artifact_prefix="build/fuzz/crash-$t-" "$work" "fuzz/corpus/$t"
done
echo "fuzzing found nothing: ${targets[*]}" >&2
