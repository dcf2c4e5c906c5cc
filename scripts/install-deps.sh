#!/usr/bin/env bash
# Installs the Debian packages otter's build and tests need, when missing.
# Usage: scripts/install-deps.sh [extra-package ...]
set -euo pipefail
# elixir: the tests compare printing with the real Elixir and ETF with real Erlang.
need=(cmake ninja-build g++ clang libclang-rt-14-dev libgtest-dev libgmock-dev elixir erlang-base "$@")
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
