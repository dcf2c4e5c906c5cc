#!/usr/bin/env python3
"""Median table of otter vs. its peers from compare.sh's raw output.

    python3 bench/compare.py bench/results/latest/raw [more raw dirs or files]

Reads every `<system>.<program>.<run>.out` file (system: otter, beam, caf),
collects its lines

    RESULT workload=<id> metric=<name> value=<number> unit=<unit>

takes the median per (system, workload, metric) and prints a markdown table:
workload, metric, the three medians, and the ratios otter/BEAM and otter/CAF,
each oriented so that higher is better for otter (a time or a size is
inverted: peer/otter; a rate is otter/peer).

otter and the BEAM scripts use the same workload ids and metric names; CAF's
programs use their own, so MAPPING below says, for each of otter's figures,
which (workload, metric) of each peer is the same figure.
"""

import argparse
import os
import re
import signal
import statistics
import sys

SYSTEMS = ("otter", "beam", "caf")

# CAF's W1 teardown is reported under a workload id that names how the actors
# were stopped: compare.sh maps otter's W1_STOP=kill to CAF's W1_STOP=exit
# (anon_send_exit) and msg to msg. Either is accepted; see --caf-teardown.
CAF_TEARDOWN = {"exit": "_teardown_exit", "msg": "_teardown_msg"}


def _w1_rows(wl):
    """W1 rows for round 1 (`spawn`) or round 2+ (`spawn_warm`)."""
    td = [wl + CAF_TEARDOWN["exit"], wl + CAF_TEARDOWN["msg"]]
    return [
        ((wl, "ns_per_spawn"), (wl, "ns_per_spawn"), [(wl, "ns_per_spawn")]),
        ((wl, "spawn_call_ns"), (wl, "spawn_call_ns"), [(wl, "spawn_call_ns_per_actor")]),
        # CAF reports bytes per actor for the cold round only.
        ((wl, "bytes_per_process_rss"), (wl, "bytes_per_process_rss"), [(wl, "bytes_per_actor")]),
        ((wl, "teardown_ms"), (wl, "teardown_ms"), [(t, "teardown_total_ms") for t in td]),
        ((wl, "teardown_ns_per_process"), (wl, "teardown_ns_per_process"), [(t, "teardown_ns_per_actor") for t in td]),
        ((wl, "teardown_signal_loop_ns"), (wl, "teardown_signal_loop_ns"), [(t, "stop_send_ns_per_actor") for t in td]),
        # CAF prints the absolute RSS after teardown, not a delta: no match.
        ((wl, "rss_after_teardown_delta_mib"), (wl, "rss_after_teardown_delta_mib"), []),
    ]


# otter's (workload, metric) -> BEAM's (workload, metric) or None,
#                             -> CAF's candidates [(workload, metric), ...]
#                                (the first one present is used; [] = none)
MAPPING = (
    _w1_rows("spawn")
    + _w1_rows("spawn_warm")
    + [
        (("pingpong", "round_trips_per_sec"), ("pingpong", "round_trips_per_sec"), [("pingpong", "round_trips_per_sec")]),
        (("pingpong", "ns_per_round_trip"), ("pingpong", "ns_per_round_trip"), [("pingpong", "ns_per_round_trip")]),
        (("ring", "hops_per_sec"), ("ring", "hops_per_sec"), [("ring", "hops_per_sec")]),
        (("ring", "ns_per_hop"), ("ring", "ns_per_hop"), [("ring", "ns_per_hop")]),
        (("fanin", "msgs_per_sec"), ("fanin", "msgs_per_sec"), [("fanin", "msgs_per_sec")]),
        (("fanin", "ns_per_msg"), ("fanin", "ns_per_msg"), [("fanin", "ns_per_msg")]),
        (("fanin", "peak_rss_delta_mib"), ("fanin", "peak_rss_delta_mib"), [("fanin", "peak_rss_delta_mib")]),
        (("fanin", "verified"), ("fanin", "verified"), []),
        # W5: CAF's w5_request names its parts req_then, cast_then_get, scoped_call.
        (("genserver_call", "calls_per_sec"), ("genserver_call", "calls_per_sec"), [("req_then", "calls_per_sec")]),
        (("genserver_call", "ns_per_call"), ("genserver_call", "ns_per_call"), [("req_then", "ns_per_call")]),
        (("genserver_cast", "casts_per_sec"), ("genserver_cast", "casts_per_sec"), [("cast_then_get", "msgs_per_sec")]),
        (("genserver_cast", "ns_per_cast"), ("genserver_cast", "ns_per_cast"), [("cast_then_get", "ns_per_msg")]),
        (("genserver_cast", "send_loop_casts_per_sec"), ("genserver_cast", "send_loop_casts_per_sec"), []),
        (("genserver_cast", "peak_rss_delta_mib"), ("genserver_cast", "peak_rss_delta_mib"), []),
        (("genserver_call_toplevel", "calls_per_sec"), ("genserver_call_toplevel", "calls_per_sec"),
         [("scoped_call", "calls_per_sec")]),
        (("genserver_call_toplevel", "ns_per_call"), ("genserver_call_toplevel", "ns_per_call"),
         [("scoped_call", "ns_per_call")]),
        (("genserver_call_toplevel", "median_ns_per_call"), None, []),
        # W7 (w7_counters) and W8 (otter's w8_restart; BEAM's figures come
        # from w7_counters.exs): workload id "counters" for both.
    ]
    + [
        (("counters", m), ("counters", m), [])
        for m in (
            "workers_started_per_sec", "us_per_worker_start", "casts_per_sec", "value_calls_per_sec",
            "casts_and_reads_per_sec", "crash_burst_recovery_ms", "crash_burst_median_latency_us",
            "crash_burst_p99_latency_us", "crash_burst_values_kept", "crash_seq_median_latency_us",
            "crash_seq_p99_latency_us", "crash_seq_total_ms", "kill_values_lost", "kill_recovery_ms",
            "kill_median_latency_us", "kill_stale_values", "workers_alive_at_end",
        )
    ]
    + [
        # Registry rates (Elixir's side is bench/registry_rate.exs; CAF has none).
        (("registry_register", "registers_per_sec"), ("registry_register", "registers_per_sec"), []),
        (("registry_register", "unregisters_per_sec"), ("registry_register", "unregisters_per_sec"), []),
        (("registry_lookup", "lookups_per_sec"), ("registry_lookup", "lookups_per_sec"), []),
    ]
    + [
        ((wl, m), (wl, m), [])
        for wl, metrics in (
            ("ets_set_1proc", ("inserts_per_sec", "lookups_per_sec")),
            ("ets_set_1proc_conc_opts", ("inserts_per_sec", "lookups_per_sec")),
            ("ets_set_2proc", ("inserts_per_sec", "lookups_per_sec", "ops_per_sec")),
            ("ets_bag_match_object", ("ms_per_match_object",)),
            ("ets_update_counter_1proc", ("ops_per_sec",)),
            ("ets_update_counter_2proc", ("ops_per_sec",)),
        )
        for m in metrics
    ]
)

# Figures that echo the size of a run: all systems must agree on them, or
# the comparison is not like for like (checked, warned about, not tabled).
SIZES = [
    (("spawn", "n"), ("spawn", "n"), [("spawn", "n")]),
    (("pingpong", "round_trips"), ("pingpong", "round_trips"), [("pingpong", "round_trips")]),
    (("ring", "ring_size"), ("ring", "ring_size"), [("ring", "ring_size")]),
    (("ring", "hops"), ("ring", "hops"), [("ring", "hops")]),
    (("fanin", "total_msgs"), ("fanin", "total_msgs"), [("fanin", "total_msgs")]),
    (("genserver_call", "calls"), ("genserver_call", "calls"), [("req_then", "calls")]),
    (("genserver_cast", "casts"), ("genserver_cast", "casts"), [("cast_then_get", "msgs")]),
    (("genserver_call_toplevel", "calls"), ("genserver_call_toplevel", "calls"), [("scoped_call", "calls")]),
    (("counters", "workers"), ("counters", "workers"), []),
]

# Counts of outcomes (values lost, workers alive): shown side by side, no ratio.
COUNTS = {"crash_burst_values_kept", "kill_values_lost", "kill_stale_values", "workers_alive_at_end"}

RESULT_RE = re.compile(r"^RESULT workload=(\S+) metric=(\S+) value=(\S+) unit=(\S+)\s*$")
FILE_RE = re.compile(r"^(?P<system>[a-z]+)\.(?P<program>[^.]+)\.(?P<run>\d+)\.out$")

LOWER_UNITS = {"ns", "us", "ms", "s", "bytes", "B", "KiB", "MiB", "GiB"}


def lower_is_better(metric, unit):
    """Times and sizes: lower is better. Rates (unit .../s): higher is better."""
    if unit and unit.endswith("/s"):
        return False
    if metric.startswith(("ns_", "bytes_", "peak_rss_", "rss_")):
        return True
    if metric.endswith(("_ns", "_us", "_ms", "_mib")):
        return True
    return unit in LOWER_UNITS


def parse(paths):
    """Returns ({system: {(wl, metric): [values]}}, {(wl, metric): unit}, files)."""
    data = {s: {} for s in SYSTEMS}
    units = {}
    files = []
    for path in paths:
        if os.path.isdir(path):
            files += [os.path.join(path, f) for f in sorted(os.listdir(path)) if f.endswith(".out")]
        else:
            files.append(path)
    used = []
    for f in files:
        m = FILE_RE.match(os.path.basename(f))
        if not m or m.group("system") not in SYSTEMS:
            print(f"compare.py: ignoring {f} (not <system>.<program>.<run>.out)", file=sys.stderr)
            continue
        sysname = m.group("system")
        used.append((sysname, m.group("program"), m.group("run"), f))
        with open(f, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                r = RESULT_RE.match(line.strip())
                if not r:
                    continue
                wl, metric, value, unit = r.groups()
                try:
                    v = float(value)
                except ValueError:
                    continue
                data[sysname].setdefault((wl, metric), []).append(v)
                units.setdefault((wl, metric), unit)
    return data, units, used


def median(data, sysname, key):
    vals = data[sysname].get(key) if key else None
    return (statistics.median(vals), len(vals)) if vals else (None, 0)


def first_present(data, sysname, candidates, prefer=None):
    present = [c for c in candidates if c in data[sysname]]
    if prefer:
        preferred = [c for c in present if c[0].endswith(prefer)]
        if preferred:
            return preferred[0]
    if len(present) > 1:
        print(f"compare.py: CAF has several candidates for one figure: {present}; using {present[0]} "
              "(pass --caf-teardown)", file=sys.stderr)
    return present[0] if present else None


def fmt(v):
    if v is None:
        return "—"
    a = abs(v)
    if a == 0:
        return "0"
    if a >= 1e6:
        return f"{v:.3g}" if a >= 1e10 else f"{v / 1e6:.2f} M"
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


def ratio(otter, peer, lower_better):
    if otter is None or peer is None or otter == 0 or peer == 0:
        return None
    return peer / otter if lower_better else otter / peer


def fmt_ratio(r):
    return "—" if r is None else f"{r:.2f}×"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="+", help="raw dirs (or .out files) written by compare.sh")
    ap.add_argument("--caf-teardown", choices=sorted(CAF_TEARDOWN), default=None,
                    help="which CAF W1 teardown to compare with if both are present")
    ap.add_argument("--all", action="store_true", help="also list otter figures that have no mapping")
    args = ap.parse_args()

    data, units, used = parse(args.paths)
    if not used:
        print("compare.py: no <system>.<program>.<run>.out files found", file=sys.stderr)
        return 1
    prefer = CAF_TEARDOWN[args.caf_teardown] if args.caf_teardown else None

    runs = {s: sorted({(p, r) for (sy, p, r, _) in used if sy == s}) for s in SYSTEMS}
    counts = ", ".join(f"{s}: {len(runs[s])} program run{'s' if len(runs[s]) != 1 else ''}" for s in SYSTEMS if runs[s])
    print(f"Medians over the runs found ({counts}). Ratios: higher is better for otter "
          "(times and sizes: peer/otter; rates: otter/peer).")
    print()

    # Size check: all systems must have run the same sizes.
    for okey, bkey, ccands in SIZES:
        seen = {}
        for sysname, key in (("otter", okey), ("beam", bkey), ("caf", first_present(data, "caf", ccands))):
            vals = data[sysname].get(key) if key else None
            if vals:
                seen[sysname] = sorted(set(vals))
        flat = {v for vs in seen.values() for v in vs}
        if len(flat) > 1:
            print(f"compare.py: WARNING: sizes differ for {okey[0]} {okey[1]}: {seen}", file=sys.stderr)

    print("| workload | metric | otter | BEAM | CAF | otter/BEAM | otter/CAF |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    shown = set()
    for okey, bkey, ccands in MAPPING:
        ckey = first_present(data, "caf", ccands, prefer)
        o, _ = median(data, "otter", okey)
        b, _ = median(data, "beam", bkey)
        c, _ = median(data, "caf", ckey)
        if o is None and b is None and c is None:
            continue
        shown.add(okey)
        unit = units.get(okey) or units.get(bkey) or (units.get(ckey) if ckey else "") or ""
        if unit == "bool" or okey[1] in COUNTS:
            rb = rc = None
        else:
            lower = lower_is_better(okey[1], unit)
            rb, rc = ratio(o, b, lower), ratio(o, c, lower)
        label = f"{okey[1]} ({unit})" if unit else okey[1]
        show = (lambda v: "—" if v is None else f"{v:g}") if unit == "bool" else fmt
        print(f"| {okey[0]} | {label} | {show(o)} | {show(b)} | {show(c)} | {fmt_ratio(rb)} | {fmt_ratio(rc)} |")

    if args.all:
        size_keys = {k for k, _, _ in SIZES}
        extra = sorted(k for k in data["otter"] if k not in shown and k not in size_keys)
        if extra:
            print()
            print("| workload | metric | otter (no peer mapping) |")
            print("| --- | --- | ---: |")
            for k in extra:
                o, _ = median(data, "otter", k)
                print(f"| {k[0]} | {k[1]} ({units.get(k, '')}) | {fmt(o)} |")

    failed = []
    for sysname, prog, run, f in used:
        err = f[:-4] + ".err"
        if os.path.exists(err):
            with open(err, encoding="utf-8", errors="replace") as fh:
                if "# FAILED" in fh.read():
                    failed.append(f"{sysname} {prog} run {run}")
    if failed:
        print()
        print("Failed runs (excluded where they printed nothing): " + "; ".join(failed))
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet when piped into head
    sys.exit(main())
