#!/usr/bin/env bash
# Builds otter (release preset) and runs the main program: the lecture's
# counter application with its shell (`otter`, like `iex -S mix`).
# Arguments go to otter: a FILE to evaluate, --stop-on-error, --quiet, --echo,
# --max-children N, --schedulers N (see `scripts/run.sh --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target otter_main >&2
exec build/release/apps/counter/otter "$@"
