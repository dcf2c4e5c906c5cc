#!/usr/bin/env bash
# Builds and runs every test: release, ASan+UBSan and TSan presets, then the
# clang preset (clang++ with warnings as errors, so both compilers stay
# warning-free), then the fuzz targets for FUZZ_SECONDS each (scripts/fuzz.sh),
# one after another (2 cores; parallel builds would only fight).
# Usage: scripts/test.sh [preset ...]   (default: release asan tsan clang fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
presets=("$@")
[ ${#presets[@]} -eq 0 ] && presets=(release asan tsan clang fuzz)
jobs=$(nproc)
for p in "${presets[@]}"; do
  echo "=== preset $p ===" >&2
  if [ "$p" = fuzz ]; then
    scripts/fuzz.sh
    continue
  fi
  cmake --preset "$p" >/dev/null
  cmake --build --preset "$p" -j"$jobs"
  ctest --preset "$p" -j"$jobs" --timeout 600
done
echo "all tests passed: ${presets[*]}" >&2
