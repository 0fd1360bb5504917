#!/usr/bin/env python3
"""The TransformerLens-shaped export, run by examples/torch_forward.py, against raspkit.

usage: torch_export_test.py RASPKIT   (from the source root; exit 77 when torch is missing)

For each program: compile with --format transformerlens; run every input of up to 3 tokens
and 24 seeded random longer ones through torch (one pass per input, and as one right-padded
batch) and compare with the interpreter (`raspkit run`) and our forward pass
(`raspkit run --compiled`). Then the ablation check of circuit.json: zeroing any head it puts
on the output path changes the output on some input; zeroing any head it does not (padding
or off-path) changes nothing on any input.
"""
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile

try:
    import torch
except ImportError:
    print("skipped: no python3-torch")
    sys.exit(77)

sys.path.insert(0, "examples")
import torch_forward  # noqa: E402

RASPKIT = sys.argv[1]
MAX_LEN = 5

# (file, expression, vocabulary as raspkit takes it, the tokens as Python values)
PROGRAMS = [
    ("corpus/paper/reverse.rasp", "reverse", "a,b,c", ["a", "b", "c"]),
    ("corpus/paper/hist.rasp", "hist", "a,b,c", ["a", "b", "c"]),
    ("corpus/tracr/sort.rasp", "tracr_sort", "0,1,2,3", [0, 1, 2, 3]),
    ("corpus/tracr/frac_prevs.rasp", "frac_prevs", "x,y", ["x", "y"]),
    ("corpus/paper/double_hist.rasp", "double_hist", "a,b,c", ["a", "b", "c"]),
    # An `or` of selects over different s-ops is lowered to tuple-coded maps before
    # compiling: the export must name the caller's nodes (it crashed on the lowered ids).
    ("corpus/blog/minimum.rasp", "minimum", "3,1,2", [3, 1, 2]),
]


def same(a, b):
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))
    return a == b


def inputs_for(tokens):
    rng = random.Random(8)
    out = [list(t) for n in range(1, 4) for t in itertools.product(tokens, repeat=n)]
    for _ in range(24):
        out.append([rng.choice(tokens) for _ in range(rng.randint(4, MAX_LEN))])
    return out


def raspkit_outputs(path, expr, inputs, extra):
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for t in inputs:
            f.write(json.dumps(t) + "\n")
        name = f.name
    try:
        run = subprocess.run([RASPKIT, "run", path, "--expr", expr, "--inputs", name, "--json"]
                             + extra, capture_output=True, text=True)
    finally:
        os.unlink(name)
    if run.returncode != 0:
        raise SystemExit(f"raspkit run {path} {extra} failed: {run.stderr}")
    return [json.loads(line)["output"] for line in run.stdout.splitlines()]


def check_program(path, expr, vocab_arg, tokens, failures):
    tag = f"{path}:{expr}"
    with tempfile.TemporaryDirectory() as out_dir:
        run = subprocess.run([RASPKIT, "compile", path, "--expr", expr, "--vocab", vocab_arg,
                              "--max-len", str(MAX_LEN), "--format", "transformerlens",
                              "-o", out_dir], capture_output=True, text=True)
        if run.returncode != 0:
            failures.append(f"{tag}: compile failed: {run.stderr.strip()}")
            return None
        state, cfg, vocab = torch_forward.load(out_dir)
        with open(os.path.join(out_dir, "circuit.json")) as f:
            circuit = json.load(f)
    inputs = inputs_for(tokens)
    interp = raspkit_outputs(path, expr, inputs, [])
    compiled = raspkit_outputs(path, expr, inputs,
                               ["--compiled", "--vocab", vocab_arg, "--max-len", str(MAX_LEN)])
    single = torch_forward.run(state, cfg, vocab, inputs)
    batch = torch_forward.run(state, cfg, vocab, inputs, batch=True)
    for t, i, c, s, b in zip(inputs, interp, compiled, single, batch):
        if not (same(i, c) and same(i, s) and same(i, b)):
            failures.append(f"{tag}: input {t}: interpreter {i}, --compiled {c}, torch {s}, "
                            f"torch batch {b}")
            break
    heads = [c for c in circuit["components"] if c["kind"] == "attention"]
    named = [c for c in heads if c["on_output_path"] and not c["padding"]]
    unnamed = [c for c in heads if c not in named]
    if not named:
        failures.append(f"{tag}: circuit.json names no head on the output path")
    for c in named:
        ablated = torch_forward.run(state, cfg, vocab, inputs, batch=True,
                                    ablate=[(c["layer"], c["head"])])
        if all(same(a, b) for a, b in zip(ablated, batch)):
            failures.append(f"{tag}: zeroing {c['id']} (on the output path) changes nothing")
    for c in unnamed:
        ablated = torch_forward.run(state, cfg, vocab, inputs, batch=True,
                                    ablate=[(c["layer"], c["head"])])
        if not all(same(a, b) for a, b in zip(ablated, batch)):
            failures.append(f"{tag}: zeroing {c['id']} (not on the output path) changes the output")
    # Every attention node of the program lives in a head.
    for node in circuit["nodes"]:
        if node["kind"] in ("aggregate", "selector_width"):
            if not any(loc["component"].startswith("blocks.") and loc.get("part") == "head"
                       for loc in node["locations"]):
                failures.append(f"{tag}: circuit.json puts {node['name']} in no head")
    print(f"{tag}: {len(inputs)} inputs, heads on the output path {[c['id'] for c in named]}, "
          f"others {[c['id'] for c in unnamed]}")
    return len(unnamed)


def main():
    failures = []
    unnamed_total = 0
    for program in PROGRAMS:
        unnamed_total += check_program(*program, failures) or 0
    if unnamed_total == 0:
        failures.append("no program has a head off the output path: the negative ablation "
                        "claim went untested")
    for f in failures:
        print("FAIL " + f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
