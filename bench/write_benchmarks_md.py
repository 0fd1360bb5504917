"""Turns Google Benchmark JSON files into BENCHMARKS.md tables (medians), with ratios."""
import json
import os
import sys
from datetime import datetime, timezone

# The reference interpreter's seconds per evaluation (ANCHORS.md), program -> n -> s.
REFERENCE = {
    "Reverse": {10: 0.0006, 100: 0.068},
    "Sort": {10: 0.0013, 100: 0.13},
    "Hist": {10: 0.0012, 100: 0.080},
    "MostFreq": {10: 0.0031, 100: 0.16},
    "Dyck2": {10: 0.0022, 100: 0.13},
}


def medians(path):
    with open(path) as f:
        doc = json.load(f)
    rows = {}
    for b in doc["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        name = b["run_name"]
        unit = b.get("time_unit", "ns")
        scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]
        rows[name] = (b["real_time"] * scale, b["cpu_time"] * scale, b)
    return doc.get("context", {}), rows


def fmt_s(s):
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.1f} us"


def main():
    folder, names = sys.argv[1], sys.argv[2:]
    print("# Benchmarks\n")
    print("Produced by `bench/run_benchmarks.sh` (Google Benchmark, BENCH_REPS repetitions (default 5), medians of")
    print("wall time) on this project's 2-core machine; every table below comes from one run.")
    print(f"Written {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}.\n")
    for name in names:
        path = os.path.join(folder, name + ".json")
        if not os.path.exists(path):
            continue
        context, rows = medians(path)
        print(f"## {name}\n")
        print(f"Command: `build/bench/{name} --benchmark_repetitions=N` (load average at start: "
              f"{context.get('load_avg', ['?'])[0] if context.get('load_avg') else '?'})\n")
        if name == "interp_bench":
            print("Wall time is what the targets speak of; on a loaded machine CPU time (second")
            print("number) is the steadier measure, and the ratio columns use each.\n")
            print("| program | n | raspkit interpreter (wall / CPU) | plain C++ loop (wall / CPU) | ratio wall / CPU | reference (ANCHORS) | speed-up (wall) |")
            print("|---|---|---|---|---|---|---|")
            for prog in ["Reverse", "Sort", "Hist", "MostFreq", "Dyck2"]:
                for n in (10, 100, 1000):
                    i = rows.get(f"BM_Interp_{prog}/{n}")
                    p = rows.get(f"BM_Plain_{prog}/{n}")
                    if not i or not p:
                        continue
                    ref = REFERENCE[prog].get(n)
                    speed = f"{ref / i[0]:.0f}x" if ref else "-"
                    print(f"| {prog} | {n} | {fmt_s(i[0])} / {fmt_s(i[1])} | {fmt_s(p[0])} / {fmt_s(p[1])} | "
                          f"{i[0] / p[0]:.1f}x / {i[1] / p[1]:.1f}x | "
                          f"{fmt_s(ref) if ref else '-'} | {speed} |")
            print()
            continue
        print("| benchmark | median wall time | median CPU time |")
        print("|---|---|---|")
        for run, (real, cpu, b) in rows.items():
            extra = ""
            for key in ("items_per_second", "bytes_per_second"):
                if key in b:
                    extra = f" ({b[key]:.3g} {key.replace('_per_second', '')}/s)"
            print(f"| {run} | {fmt_s(real)}{extra} | {fmt_s(cpu)} |")
        print()


main()
