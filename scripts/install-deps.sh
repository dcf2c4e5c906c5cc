#!/usr/bin/env bash
# Installs the Debian packages otter's build and tests need, when missing.
# Usage: scripts/install-deps.sh [extra-package ...]
set -euo pipefail
# elixir: the tests compare printing with the real Elixir and ETF with real Erlang.
# libedit: the shell's line editing; tmux: the test that drives the shell in a terminal.
need=(cmake ninja-build pkg-config g++ clang libclang-rt-14-dev libgtest-dev libgmock-dev libedit-dev tmux elixir erlang-base "$@")
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
