#!/usr/bin/env bash
# Builds otter (release preset) and runs the main program.
# Until the counter application lands, the main program is the ring example.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target ring
exec build/release/examples/ring "$@"
