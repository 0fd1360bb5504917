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
    rows, errors = {}, {}
    for b in doc["benchmarks"]:
        if b.get("error_occurred"):
            errors[b["run_name"]] = b["error_message"]
            continue
        if b.get("aggregate_name") != "median":
            continue
        name = b["run_name"]
        unit = b.get("time_unit", "ns")
        scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]
        rows[name] = (b["real_time"] * scale, b["cpu_time"] * scale, b)
    return doc.get("context", {}), rows, errors


def fmt_s(s):
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    if s < 1e-5:
        return f"{s * 1e6:.2f} us"
    return f"{s * 1e6:.1f} us"


def main():
    folder, names = sys.argv[1], sys.argv[2:]
    print("# Benchmarks\n")
    print("Produced by `bench/run_benchmarks.sh` (Google Benchmark, BENCH_REPS repetitions (default 5), medians of")
    print("wall time) on this project's 2-core machine; every table below comes from one run.")
    print(f"Written {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}.\n")
    for name in names:
        path = os.path.join(folder, name + ".json")
        if name == "batch_bench" or not os.path.exists(path):
            continue
        context, rows, errors = medians(path)
        print(f"## {name}\n")
        print(f"Command: `build/bench/{name} --benchmark_repetitions=N --benchmark_enable_random_interleaving=true` (load average at start: "
              f"{context.get('load_avg', ['?'])[0] if context.get('load_avg') else '?'})\n")
        if name == "interp_bench":
            print("Each interpreter row evaluates eight different inputs of length n in turn. `batch`:")
            print("the default options (Options::reuse), so nodes that do not read tokens (`length`,")
            print("index arithmetic, selectors on indices) keep their values from the input before, as")
            print("in a batch of equal-length inputs. `fresh`: reuse off, every node computed for every")
            print("input. At n = 10 (inputs of up to 64 positions) evaluate() runs each program as a")
            print("kernel: its nodes typed once, then straight-line column instructions")
            print("(lib/interp/detail/kernel.h). At n = 100 and 1000 the evaluator runs, where maps over")
            print("tokens alone also look up their result per token value in batch mode. Wall time is")
            print("what the targets speak of; on a loaded machine CPU time is the steadier measure.\n")
            print("| program | n | interpreter, batch (wall / CPU) | interpreter, fresh (wall / CPU) | plain C++ loop (wall / CPU) | ratio to loop, batch / fresh (wall) | reference (ANCHORS) | speed-up, batch / fresh (wall) |")
            print("|---|---|---|---|---|---|---|---|")
            for prog in ["Reverse", "Sort", "Hist", "MostFreq", "Dyck2"]:
                for n in (10, 100, 1000):
                    i = rows.get(f"BM_Interp_{prog}/{n}")
                    f = rows.get(f"BM_InterpFresh_{prog}/{n}")
                    p = rows.get(f"BM_Plain_{prog}/{n}")
                    if not i or not p or not f:
                        continue
                    ref = REFERENCE[prog].get(n)
                    speed = f"{ref / i[0]:.0f}x / {ref / f[0]:.0f}x" if ref else "-"
                    print(f"| {prog} | {n} | {fmt_s(i[0])} / {fmt_s(i[1])} | {fmt_s(f[0])} / {fmt_s(f[1])} | "
                          f"{fmt_s(p[0])} / {fmt_s(p[1])} | {i[0] / p[0]:.1f}x / {f[0] / p[0]:.1f}x | "
                          f"{fmt_s(ref) if ref else '-'} | {speed} |")
            print()
            for run, message in errors.items():
                print(f"- {run} not run: {message}")
            verdicts(rows, "BM_Interp", "batch of equal-length inputs")
            verdicts(rows, "BM_InterpFresh", "fresh, every node computed")
            continue
        print("| benchmark | median wall time | median CPU time | counters |")
        print("|---|---|---|---|")
        for run, (real, cpu, b) in rows.items():
            print(f"| {run} | {fmt_s(real)} | {fmt_s(cpu)} | {counters(b)} |")
        for run, message in errors.items():
            print(f"| {run} | not run: {message} | - | - |")
        print()
    skipped = [b for b in ("bounds_bench", "equiv_bench", "compile_bench", "interp_bench") if b not in names]
    if skipped:
        print(f"Not in this run: {', '.join(skipped)} (`bench/run_benchmarks.sh {' '.join(skipped)}`; the "
              "bounds and equivalence benchmarks take tens of minutes at 5 repetitions). Their last "
              "measured numbers are in the closing notes of issues 3 and 5.\n")
    batch = os.path.join(folder, "batch_bench.json")
    if os.path.exists(batch):
        with open(batch) as f:
            r = json.load(f)
        print("## batch mode (`raspkit run --inputs`)\n")
        print(f"Command: `/usr/bin/python3 bench/batch_bench.py build/bin/raspkit . OUT.json {r['repetitions']}` "
              f"(load average at end: {r['load_avg']:.2f}): the paper's sort, {r['inputs']} random inputs of "
              f"length {r['n']} in one process, JSON in and out, medians of {r['repetitions']} runs.\n")
        print("| measure | wall | CPU |")
        print("|---|---|---|")
        print(f"| per input, whole batch (start-up and loading included) | {fmt_s(r['wall_per_input'])} | "
              f"{fmt_s(r['cpu_per_input'])} |")
        print(f"| per extra input (batch minus a one-input run) | {fmt_s(r['marginal_wall_per_input'])} | "
              f"{fmt_s(r['marginal_cpu_per_input'])} |")
        ref = REFERENCE["Sort"][100]
        per = r["wall_per_input"]
        print(f"\nTarget: under 130 us an evaluation in batch mode: **{'met' if per < 130e-6 else 'missed'}** "
              f"({fmt_s(per)} per input, {ref / per:.0f}x the reference's {fmt_s(ref)}).\n")


STANDARD = {"name", "family_index", "per_family_instance_index", "run_name", "run_type", "repetitions",
            "threads", "aggregate_name", "aggregate_unit", "iterations", "real_time", "cpu_time",
            "time_unit", "repetition_index"}


def counters(b):
    """The benchmark's own counters (tokens/s, params, layers...), compactly."""
    out = []
    for key, value in b.items():
        if key in STANDARD or not isinstance(value, (int, float)):
            continue
        out.append(f"{key} {value:.3g}")
    return ", ".join(out) or "-"


def verdicts(rows, family, label):
    """Issue 2's targets against this run's medians (wall time), computed, not written by hand."""
    fast, close, miss_fast, miss_close = [], [], [], []
    for prog in ["Reverse", "Sort", "Hist", "MostFreq", "Dyck2"]:
        for n in (10, 100, 1000):
            i = rows.get(f"{family}_{prog}/{n}")
            p = rows.get(f"BM_Plain_{prog}/{n}")
            ref = REFERENCE[prog].get(n)
            if i and ref:
                (fast if ref / i[0] >= 1000 else miss_fast).append(f"{prog} n={n} ({ref / i[0]:.0f}x)")
            if i and p:
                (close if i[0] / p[0] <= 3 else miss_close).append(f"{prog} n={n} ({i[0] / p[0]:.1f}x)")
    print(f"Targets (issue 2), from the medians above, {label}:\n")
    print(f"- 1000x the reference: met for {', '.join(fast) or 'none'}; "
          f"**missed** for {', '.join(miss_fast) or 'none'}.")
    print(f"- Within 3x of the plain loop: met for {', '.join(close) or 'none'}; "
          f"**missed** for {', '.join(miss_close) or 'none'}.")
    sort = rows.get(f"{family}_Sort/100")
    if sort:
        print(f"- Sort at n=100 under 130 us: **{'met' if sort[0] < 130e-6 else 'missed'}** ({fmt_s(sort[0])}).")
    print()


main()
