#!/usr/bin/env python3
"""Draws docs/benchmarks.png from compare.sh's results: for every figure
that a peer also measured, how many times better otter is than BEAM
(Erlang/OTP + Elixir) and than CAF, measured side by side in one run.

    bench/chart.py                              # bench/results/latest
    bench/chart.py bench/results/compare-A bench/results/compare-B -o docs/benchmarks.png

Each argument is a compare.sh run directory (its raw/ is read with
compare.py's rules: medians per figure, ratios oriented so that > 1 means
otter is better). The chart uses a log scale: 1 is parity. Needs gnuplot.
"""

import argparse
import math
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402


def ratios(run_dirs):
    raws = [os.path.join(d, "raw") if os.path.isdir(os.path.join(d, "raw")) else d for d in run_dirs]
    data, units, used = compare.parse(raws)
    if not used:
        sys.exit("chart.py: no results in " + ", ".join(run_dirs))
    rows = []
    for okey, bkey, ccands in compare.MAPPING:
        if okey[1] in compare.COUNTS:
            continue
        ckey = compare.first_present(data, "caf", ccands)
        o, _ = compare.median(data, "otter", okey)
        b, _ = compare.median(data, "beam", bkey)
        c, _ = compare.median(data, "caf", ckey)
        unit = units.get(okey) or units.get(bkey) or ""
        if o is None or unit == "bool" or (b is None and c is None):
            continue
        lower = compare.lower_is_better(okey[1], unit)
        rb, rc = compare.ratio(o, b, lower), compare.ratio(o, c, lower)
        rows.append((f"{okey[0]} {okey[1]}", rb, rc))
    return rows


def draw(rows, out, title):
    with tempfile.TemporaryDirectory() as tmp:
        dat = os.path.join(tmp, "ratios.dat")
        with open(dat, "w", encoding="utf-8") as f:
            for label, rb, rc in rows:
                # log2 of the ratio: bars grow up from parity when otter is
                # better, down when it is worse.
                lb = math.log2(rb) if rb else "NaN"
                lc = math.log2(rc) if rc else "NaN"
                f.write('"%s" %s %s\n' % (label.replace("_", " "), lb, lc))
        width = max(900, 48 * len(rows) + 200)
        values = [r for _, rb, rc in rows for r in (rb, rc) if r]
        low = math.floor(math.log2(min(values + [1.0]) / 1.5))
        high = math.ceil(math.log2(max(values + [1.0]) * 1.5))
        tics = ", ".join(f'"{2 ** e if e >= 0 else "1/" + str(2 ** -e)}×" {e}' for e in range(low, high + 1))
        script = f"""
set terminal pngcairo size {width},720 font "DejaVu Sans,9"
set output "{out}"
set title "{title}"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set yrange [{low}:{high}]
set ytics ({tics})
set ylabel "how many times better otter is (log scale; 1× = parity)"
set grid ytics
set xtics rotate by -60 left
set key top right
set arrow from graph 0, first 0 to graph 1, first 0 nohead lw 2 lc rgb "black"
set bmargin 16
set lmargin 12
plot "{dat}" using 2:xtic(1) title "vs BEAM (Elixir)" lc rgb "#7b3294", '' using 3 title "vs CAF" lc rgb "#008837"
"""
        subprocess.run(["gnuplot"], input=script, text=True, check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("runs", nargs="*", default=[os.path.join(here, "results", "latest")])
    ap.add_argument("-o", "--output", default=os.path.join(here, "..", "docs", "benchmarks.png"))
    ap.add_argument("--title", default="otter against BEAM and CAF, measured side by side (bench/compare.sh)")
    args = ap.parse_args()
    rows = ratios(args.runs)
    draw(rows, os.path.abspath(args.output), args.title)
    for label, rb, rc in rows:
        print(f"{label}: vs BEAM {compare.fmt_ratio(rb)}, vs CAF {compare.fmt_ratio(rc)}")
    print(f"chart.py: wrote {os.path.abspath(args.output)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
