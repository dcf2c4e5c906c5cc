#!/usr/bin/env bash
# Runs otter's workload programs W1–W4 and the peers' versions (Erlang/OTP +
# Elixir, CAF) alternately in one run, RUNS times each, then prints the
# median table with ratios (bench/compare.py). See bench/README.md.
#
#   bench/compare.sh                    # WORKLOADS.md sizes, 3 runs each
#   SMALL=1 RUNS=1 bench/compare.sh     # small sizes: a quick check
#   PEERS=beam WORKLOADS="w2 w3" bench/compare.sh
#
# Env (all optional):
#   RUNS=3                  runs of every (system, workload)
#   SMALL=1                 small default sizes (W1_N=10000, W2_N=10000,
#                           W3_HOPS=100000, W4_MSGS=100000)
#   W1_N W1_ROUNDS W1_STOP W2_N W3_PROCS W3_HOPS W4_SENDERS W4_MSGS
#                           sizes (defaults from WORKLOADS.md); explicit
#                           values win over SMALL
#   W5A_CLIENTS W5A_CALLS W5B_CASTS W5C_CALLS W5_PARTS (abc)  W5 sizes and parts
#   W6_N W6_COUNTER_N W6_PARTS (abcdf)  W6 sizes and parts (peers/beam/w6_ets.exs)
#   WORKLOADS="w1 w2 w3 w4" which workloads (add w5 for gen_server, w6 for
#                           ETS, w7 for the counter application, w8 for one
#                           worker's restarts, reg for Registry rates; CAF has
#                           no W6, W7, W8 and no Registry, and its W5 is
#                           w5_request; Elixir's Registry side is
#                           bench/registry_rate.exs; W7 and W8 share the
#                           workload id "counters": run them separately)
#   W7_WORKERS W7_CASTS W7_CRASH  W7 sizes (10000, 1000000, 1000)
#   REG_N REG_LOOKUPS REG_PROCS REG_UNREG  Registry rate sizes
#   PEERS="beam caf"        which peers (empty: otter only)
#   OTTER_SCHEDULERS=0      otter's scheduler threads (0 = one per core); when
#                           set, BEAM gets +S N:N and CAF CAF_THREADS=N too
#   CAF_THREADS             CAF's worker threads (default: as otter)
#   PEERS_DIR               the peers' folder (default: ../../shared/peers
#                           relative to this script)
#   RESULTS_DIR             where runs are saved (default bench/results)
#   CASE_TIMEOUT=900        seconds before one program run is killed
#   BUILD_JOBS              -j for the otter and CAF builds (default: cores)
#   NO_INSTALL=1            never call apt-get; skip a peer that is missing
set -euo pipefail

script_dir=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$script_dir/.." && pwd)
PEERS_DIR=${PEERS_DIR:-$script_dir/../../shared/peers}
PEERS_DIR=$(cd "$PEERS_DIR" 2>/dev/null && pwd || echo "$PEERS_DIR")
RESULTS_DIR=${RESULTS_DIR:-$script_dir/results}
RUNS=${RUNS:-3}
WORKLOADS=${WORKLOADS:-w1 w2 w3 w4}
PEERS=${PEERS-beam caf}
CASE_TIMEOUT=${CASE_TIMEOUT:-900}
cores=$(nproc 2>/dev/null || echo 2)
BUILD_JOBS=${BUILD_JOBS:-$cores}

# --- sizes: WORKLOADS.md defaults, or small ones with SMALL=1 ---
if [[ -n "${SMALL:-}" && "${SMALL}" != 0 ]]; then
  : "${W1_N:=10000}" "${W2_N:=10000}" "${W3_HOPS:=100000}" "${W4_MSGS:=100000}"
  : "${W6_N:=100000}" "${W6_COUNTER_N:=100000}"
  : "${W5A_CALLS:=1000}" "${W5B_CASTS:=100000}" "${W5C_CALLS:=10000}"
fi
: "${W5A_CLIENTS:=100}" "${W5A_CALLS:=10000}" "${W5B_CASTS:=5000000}" "${W5C_CALLS:=100000}" "${W5_PARTS:=abc}"
: "${W1_N:=1000000}" "${W1_ROUNDS:=1}" "${W1_STOP:=kill}" "${W2_N:=1000000}"
: "${W3_PROCS:=${W3_ACTORS:-1000}}" "${W3_HOPS:=2000000}" "${W4_SENDERS:=2}" "${W4_MSGS:=5000000}"
: "${W6_N:=1000000}" "${W6_COUNTER_N:=1000000}" "${W6_PARTS:=abcdf}"
: "${OTTER_SCHEDULERS:=0}"
case "$W1_STOP" in
  kill) caf_w1_stop="exit" ;;
  msg) caf_w1_stop=msg ;;
  *) echo "W1_STOP must be kill or msg, got '$W1_STOP'" >&2; exit 2 ;;
esac
if [[ "$OTTER_SCHEDULERS" != 0 ]]; then
  threads=$OTTER_SCHEDULERS
  beam_sched=" +S $OTTER_SCHEDULERS:$OTTER_SCHEDULERS"
else
  threads=$cores
  beam_sched=""
fi
CAF_THREADS=${CAF_THREADS:-$threads}
beam_procs=$((W1_N * 2 > 2000000 ? W1_N * 2 : 2000000))  # W1 needs +P >= N + 10000
beam_flags="+P $beam_procs$beam_sched"

log() { echo "[compare] $*" >&2; }

prog_of() {
  case "$1" in
    w1) echo w1_spawn ;;
    w2) echo w2_pingpong ;;
    w3) echo w3_ring ;;
    w4) echo w4_fanin ;;
    w5) echo w5_genserver ;;
    w6) echo w6_ets ;;
    w7) echo w7_counters ;;
    w8) echo w8_restart ;;
    reg) echo registry_rate ;;
    *) echo "unknown workload '$1' (use w1 w2 w3 w4 w5 w6 w7 w8 reg)" >&2; exit 2 ;;
  esac
}
for wl in $WORKLOADS; do prog_of "$wl" >/dev/null; done

# --- Debian packages of the peers ---
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
apt_install() {
  if [[ -n "${NO_INSTALL:-}" && "${NO_INSTALL}" != 0 ]]; then
    log "missing packages: $*; NO_INSTALL is set, not installing"
    return 1
  fi
  if ! command -v apt-get >/dev/null; then
    log "missing packages: $*; no apt-get here"
    return 1
  fi
  log "installing $* with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  # apt-get talks on stdout; keep stdout for the table.
  {
    "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "$@" \
      || { "${sudo_cmd[@]}" apt-get update && "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "$@"; }
  } >&2
}

want_peer() { [[ " $PEERS " == *" $1 "* ]]; }
have_beam=0
have_caf=0
if want_peer beam; then
  missing=()
  command -v erl >/dev/null || missing+=(erlang)
  command -v elixir >/dev/null || missing+=(elixir)
  if ((${#missing[@]})); then apt_install "${missing[@]}" || true; fi
  if command -v erl >/dev/null && command -v elixir >/dev/null && [[ -f "$PEERS_DIR/beam/w1_spawn.exs" ]]; then
    have_beam=1
  else
    log "BEAM peer unavailable (erl/elixir or $PEERS_DIR/beam missing): skipped"
  fi
fi
caf_build=$RESULTS_DIR/caf-build
if want_peer caf; then
  [[ -f /usr/include/caf/all.hpp ]] || apt_install libcaf-dev || true
  if [[ -f /usr/include/caf/all.hpp && -f "$PEERS_DIR/caf/CMakeLists.txt" ]]; then
    # Built out of tree under bench/results (never inside the shared folder).
    log "building the CAF peer in $caf_build"
    mkdir -p "$caf_build"
    if { cmake -S "$PEERS_DIR/caf" -B "$caf_build" -DCMAKE_BUILD_TYPE=Release \
      && cmake --build "$caf_build" -j "$BUILD_JOBS" --target w1_spawn w2_pingpong w3_ring w4_fanin w5_request; } \
      >"$caf_build/build.log" 2>&1; then
      have_caf=1
    else
      log "CAF peer failed to build (see $caf_build/build.log): skipped"
    fi
  else
    log "CAF peer unavailable (libcaf-dev or $PEERS_DIR/caf missing): skipped"
  fi
fi

# --- otter's programs (release preset) ---
otter_bin=$root/build/release/bench
otter_targets=(w1_spawn w2_pingpong w3_ring w4_fanin w5_genserver w6_ets w7_counters w8_restart registry_rate)
(
  cd "$root"
  stale=0
  for t in "${otter_targets[@]}"; do [[ -x "$otter_bin/$t" ]] || stale=1; done
  if ((stale)) || [[ ! -f build/release/build.ninja ]]; then
    log "building otter's release preset"
    cmake --preset release >&2
    cmake --build --preset release -j "$BUILD_JOBS" >&2
  else
    # Up to date? Ninja rebuilds only what changed; never benchmark stale binaries.
    cmake --build --preset release -j "$BUILD_JOBS" --target "${otter_targets[@]}" >&2
  fi
)

# --- the runs ---
stamp=$(date +%Y%m%d-%H%M%S)
run_dir=$RESULTS_DIR/compare-$stamp
raw=$run_dir/raw
mkdir -p "$raw"
ln -sfn "compare-$stamp" "$RESULTS_DIR/latest"
{
  echo "date=$(date -Is) host=$(hostname) cores=$cores kernel=$(uname -r)"
  echo "otter_commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?') dirty=$(git -C "$root" status --porcelain 2>/dev/null | wc -l)"
  echo "RUNS=$RUNS WORKLOADS='$WORKLOADS' PEERS='$PEERS' have_beam=$have_beam have_caf=$have_caf"
  echo "W1_N=$W1_N W1_ROUNDS=$W1_ROUNDS W1_STOP=$W1_STOP W2_N=$W2_N W3_PROCS=$W3_PROCS W3_HOPS=$W3_HOPS W4_SENDERS=$W4_SENDERS W4_MSGS=$W4_MSGS"
  echo "OTTER_SCHEDULERS=$OTTER_SCHEDULERS beam_flags='$beam_flags' CAF_THREADS=$CAF_THREADS"
  if ((have_beam)); then echo "elixir: $(elixir --version 2>/dev/null | tr '\n' ' ')"; fi
  if ((have_caf)); then echo "caf: $(dpkg-query -W -f '${Version}' libcaf-dev 2>/dev/null || echo '?')"; fi
} >"$run_dir/env.txt"
cat "$run_dir/env.txt" >&2

export W1_N W1_ROUNDS W2_N W3_PROCS W3_HOPS W4_SENDERS W4_MSGS W6_N W6_COUNTER_N W6_PARTS
export W5A_CLIENTS W5A_CALLS W5B_CASTS W5C_CALLS W5_PARTS
export W8_WORKERS="${W8_WORKERS:-10000}" W8_CRASHES="${W8_CRASHES:-1000}"
# The W7 peer script runs all of W7 for W8's figures; its sizes follow W8's.
export W7_WORKERS="${W7_WORKERS:-$W8_WORKERS}" W7_CRASH="${W7_CRASH:-$W8_CRASHES}" W7_CASTS="${W7_CASTS:-1000000}"
export REG_N="${REG_N:-100000}" REG_LOOKUPS="${REG_LOOKUPS:-1000000}" REG_PROCS="${REG_PROCS:-2}" REG_UNREG="${REG_UNREG:-1000}"

# CAF's program for a workload, where its name differs.
caf_prog_of() {
  case "$1" in
    w5_genserver) echo w5_request ;;
    *) echo "$1" ;;
  esac
}

# BEAM's script for a program, where its name differs: W8's figures are
# w7_counters' crash_seq_* and workers_started_* (WORKLOADS.md).
beam_prog_of() {
  case "$1" in
    w8_restart) echo w7_counters ;;
    *) echo "$1" ;;
  esac
}

# Sets the array `cmd` to the command line of (system, program).
command_for() {
  local sys=$1 prog=$2
  case "$sys" in
    otter) cmd=(env OTTER_SCHEDULERS="$OTTER_SCHEDULERS" W1_STOP="$W1_STOP" "$otter_bin/$prog") ;;
    beam)
      # Registry rates have no peer script: ours is in bench/ (registry_rate.exs).
      local script=$PEERS_DIR/beam/$(beam_prog_of "$prog").exs
      [[ -f $script ]] || script=$script_dir/$prog.exs
      cmd=(env W1_STOP="$W1_STOP" elixir --erl "$beam_flags" "$script") ;;
    caf)
      cmd=(env CAF_THREADS="$CAF_THREADS" W1_STOP="$caf_w1_stop" W3_ACTORS="$W3_PROCS" W4_BATCH=0
        W5B_MSGS="$W5B_CASTS" "$caf_build/$(caf_prog_of "$prog")") ;;
  esac
}

systems=(otter)
((have_beam)) && systems+=(beam)
((have_caf)) && systems+=(caf)
nsys=${#systems[@]}
failures=0
for ((run = 1; run <= RUNS; ++run)); do
  for wl in $WORKLOADS; do
    prog=$(prog_of "$wl")
    # Rotate who goes first from run to run, so no system always runs first.
    for ((k = 0; k < nsys; ++k)); do
      sys=${systems[$(((k + run - 1) % nsys))]}
      if [[ $sys == caf && ! -x $caf_build/$(caf_prog_of "$prog") ]]; then continue; fi  # CAF has no W6
      base=$raw/$sys.$prog.$run
      command_for "$sys" "$prog"
      printf '%q ' "${cmd[@]}" >"$base.cmd"
      echo >>"$base.cmd"
      log "run $run/$RUNS $sys $prog"
      rc=0
      timeout --kill-after=10 "$CASE_TIMEOUT" "${cmd[@]}" >"$base.out" 2>"$base.err" || rc=$?
      if ((rc != 0)); then
        echo "# FAILED rc=$rc" >>"$base.err"
        log "  FAILED rc=$rc (see $base.err)"
        failures=$((failures + 1))
      fi
    done
  done
done

python3 "$script_dir/compare.py" "$raw" | tee "$run_dir/table.md"
log "raw output and table in $run_dir"
if ((failures)); then
  log "$failures run(s) failed"
  exit 1
fi
