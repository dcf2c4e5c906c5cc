#!/usr/bin/env bash
# ETF encode/decode: otter (bench/term_bench) against Erlang's
# term_to_binary/binary_to_term (bench/term_etf.exs) on the same set of
# terms, alternating RUNS times in one run; prints the medians and the ratio
# otter/Erlang (higher is better for otter), plus otter's other term figures.
#
#   bench/compare_terms.sh            # RUNS=3
# Env: RUNS (3), TERM_ETF_SET (10000), TERM_MIN_MS (300), NO_INSTALL=1 (never apt-get).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
if [[ -z "${NO_INSTALL:-}" ]]; then scripts/install-deps.sh; fi
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" --target term_bench >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
TERM_ETF_OUT="$out/terms.etf" build/release/bench/term_bench >"$out/otter.0"
for ((r = 1; r <= RUNS; r++)); do
  echo "[compare_terms] run $r/$RUNS" >&2
  if ((r % 2)); then
    build/release/bench/term_bench >"$out/otter.$r"
    elixir bench/term_etf.exs "$out/terms.etf" >"$out/erlang.$r"
  else
    elixir bench/term_etf.exs "$out/terms.etf" >"$out/erlang.$r"
    build/release/bench/term_bench >"$out/otter.$r"
  fi
done
python3 - "$out" "$RUNS" <<'PY'
import re, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
def load(prefix):
    vals = {}
    for r in range(1, runs + 1):
        for line in open(f"{out}/{prefix}.{r}"):
            m = re.match(r"RESULT workload=(\S+) metric=(\S+) value=(\S+) unit=(\S+)", line)
            if m:
                vals.setdefault((m[1], m[2]), ([], m[4]))[0].append(float(m[3]))
    return {k: (statistics.median(v), u) for k, (v, u) in vals.items()}
otter, erl = load("otter"), load("erlang")
print(f"Medians of {runs} runs, otter and Erlang alternating. Ratio: otter/Erlang (higher is better for otter).\n")
print("| workload | metric | otter | Erlang | otter/Erlang |")
print("| --- | --- | ---: | ---: | ---: |")
for key in otter:
    o, unit = otter[key]
    if key in erl:
        e = erl[key][0]
        ratio = f"{o / e:.2f}×" if "per_sec" in key[1] else "—"
        print(f"| {key[0]} | {key[1]} ({unit}) | {o:,.0f} | {e:,.0f} | {ratio} |")
    else:
        print(f"| {key[0]} | {key[1]} ({unit}) | {o:,.0f} | — | — |")
PY
