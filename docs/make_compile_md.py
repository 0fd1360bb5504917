#!/usr/bin/env python3
"""Writes docs/compile.md: raspkit's compiled sizes for tracr's library tasks beside tracr's.

usage: docs/make_compile_md.py [RASPKIT] > docs/compile.md
RASPKIT defaults to build/bin/raspkit. Run from the source root.
"""
import json
import subprocess
import sys

RASPKIT = sys.argv[1] if len(sys.argv) > 1 else "build/bin/raspkit"
LETTERS = "abcde"
NUMBERS = "1,2,3"

# (corpus file, expression, token type, tracr's row as ANCHORS.md reports it at N=5 / N=10:
#  layers, heads per layer, MLP hidden widths, residual width)
TASKS = [
    ("length.rasp", "n_tokens", "str", "1", "1", "12 / 22", "20 / 30"),
    ("reverse.rasp", "reversed", "str", "4", "1,1", "12,30,10 / 22,110,20", "45 / 75"),
    ("hist.rasp", "histogram", "int", "1", "1", "12 / 22", "20 / 30"),
    ("sort_unique.rasp", "sort_unique", "int", "2", "1,1", "12 / 22", "25 / 35"),
    ("sort.rasp", "tracr_sort", "int", "3", "1,1", "15,12 / 30,22", "36 / 61"),
    ("sort_freq.rasp", "sort_freq", "str", "5", "1,1,1", "12,6,30,12 / 22,11,110,22", "64 / 164"),
    ("frac_prevs.rasp", "frac_prevs", "str", "2", "1", "1", "15 / 20"),
    ("shuffle_dyck.rasp", "shuffle_dyck2", "str", "8", "1,4,1,1", "up to 212 / 804", "56 / 71"),
    ("count_less_freq.rasp", "count_less_freq", "str", "2", "1,1", "12,12 / 22,22", "27 / 42"),
    ("detect_pattern.rasp", "abc_ends_here", "str", "3", "2", "6,4,4", "27 / 32"),
    ("count.rasp", "count_a", "str", "", "", "", ""),
    ("shift_by.rasp", "shift_by_1", "str", "", "", "", ""),
    ("pair_balance.rasp", "pair_balance", "str", "", "", "", ""),
]


def compile_json(path, expr, tokens, n):
    vocab = NUMBERS if tokens == "int" else LETTERS
    if "shuffle_dyck" in path or "pair_balance" in path:
        vocab = "(,),{,}" if "shuffle" in path else "(,)"
    cmd = [RASPKIT, "compile", path, "--expr", expr, "--tokens", tokens, "--vocab", vocab,
           "--max-len", str(n), "--json"]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        first = (run.stderr.strip().splitlines() or ["?"])[0]
        code = first[first.rfind("[") + 1:first.rfind("]")] if "[" in first else "error"
        return None, code
    return json.loads(run.stdout), vocab


def cell(a, b, key, fmt=str):
    if a is None or b is None:
        return "refused"
    return f"{fmt(a[key])} / {fmt(b[key])}"


def joined(xs):
    return ",".join(str(x) for x in xs)


def main():
    out = ["# Compiled sizes: raspkit beside tracr", "",
           "Made by `docs/make_compile_md.py build/bin/raspkit > docs/compile.md` from the",
           "corpus (corpus/tracr). Each cell is N=5 / N=10 (max length); tracr's figures are the",
           "ones ANCHORS.md reports for its library (vocabulary {a..e} or {1,2,3}). raspkit's model",
           "is exact on every input up to N (see the corpus compile tests); tracr's is wrong on",
           "some inputs at N=10 for 5 of its 17 library programs.", "",
           "| task | vocab | layers (raspkit) | layers (tracr) | heads/layer (raspkit) | "
           "heads/layer (tracr) | MLP hidden (raspkit) | MLP hidden (tracr) | residual (raspkit) "
           "| residual (tracr) | params (raspkit) |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    for (file, expr, tokens, t_layers, t_heads, t_mlp, t_res) in TASKS:
        path = "corpus/tracr/" + file
        a, vocab = compile_json(path, expr, tokens, 5)
        b, _ = compile_json(path, expr, tokens, 10)
        if a is None or b is None:
            reason = vocab if a is None else _
            out.append(f"| {expr} | | refused ({reason}) | {t_layers} | | {t_heads} | | {t_mlp} "
                       f"| | {t_res} | |")
            continue
        out.append(
            f"| {expr} | {vocab} | {cell(a, b, 'layers')} | {t_layers} | "
            f"{cell(a, b, 'heads_per_layer', joined)} | {t_heads} | "
            f"{cell(a, b, 'mlp_hidden', joined)} | {t_mlp} | {cell(a, b, 'residual_width')} | "
            f"{t_res} | {cell(a, b, 'params')} |")
    out += ["", "## How the construction differs from tracr's", "",
            "- Residual stream: `bos`, `one` (1 at every non-BOS position, carrying all biases, so",
            "  every MLP and head leaves the BOS position at zero), then one direction per (s-op,",
            "  value) for categorical s-ops and one per numerical s-op. Maps of tokens alone or of",
            "  indices alone are folded into the embeddings; maps in the same MLP are fused.",
            "- Attention: logits are not divided by sqrt(d); the scale is derived per head from the",
            "  max length and the value ranges so the weight leaking away from the selected keys is",
            "  at most 1e-7 (tighter for selector widths, 1/(8N(N+1)), and for numerical means,",
            "  gap/(8(range+1))). Composite selectors compile: a conjunction of parts over different",
            "  s-ops sums the parts' logits; and/or/not over one key and one query s-op is tabulated;",
            "  or/not over several s-ops is lowered to one select of two tuple-coded maps (refused,",
            "  E0212, when the tuples' value combinations exceed the limit).",
            "- MLPs: categorical lookups (one hidden unit per operand tuple); numerical operands are",
            "  discretised with a ramp of slope 2/gap centred in each gap between consecutive values,",
            "  so the output is exact whenever the input is within a quarter gap of a value it can",
            "  take; signed outputs are kept (tracr clips negatives). A map of a selector width alone",
            "  reads the width head's BOS weight in the same layer (its MLP is the width's decoding).",
            "  A map of a width and other s-ops decodes the width first, one layer later: read off",
            "  the head, its table would be the decoding's 2N+1 breakpoint units for every value of",
            "  the others (reverse at N=5: 55 units in 2 layers, where decoding first takes 3 layers",
            "  of MLPs 11 and 30, tracr 4 layers). `--width-fusion always` takes the fewest layers",
            "  and the wider MLP, `never` always decodes first.",
            "- Linear maps (`a*x + b*y + c`, e.g. `x - y`, `x/2`) that read a numerical s-op are",
            "  compiled as tracr compiles a LinearSequenceMap, but with no sublayer at all: readers",
            "  read them as that sum of their operands' directions, so no MLP tabulates across them;",
            "  their value set is the set of sums (at most 4096 values), and the means they read get",
            "  logit scales tight enough for the sum's gaps. shuffle_dyck compiles this way at max",
            "  length up to 16 (its set of differences is over the limit at 24).",
            "- Means of numbers compile exactly with complete rational value sets; a categorical",
            "  aggregate that may select two keys is refused with a witness input. Under",
            "  `--aggregate sum` an aggregate that selects at most one key compiles (there sum and",
            "  mean agree); one that may select several is refused (E0401) with a witness input.", "",
            "## Compile hazards, proven by Z3",
            "",
            "`raspkit compile` states what its weights assume and proves it for the vocabulary and",
            "every length up to `--max-len`, with one Z3 encoding of the program per length",
            "(checkers/smt/hazards.h): every categorical aggregate selects at most one key at every",
            "query (or, for numbers, only keys holding equal values); no map, select or aggregate",
            "fails at run time (division by zero, a bad index, an average of non-numbers); every",
            "selector width stays in the range its MLP decodes. Numerical means need no proof: their",
            "value sets are complete by construction. When all hold, `--json` reports",
            "`\"proven_safe_up_to\": N` and a `hazards` list, and stderr says which were proven. The",
            "first hazard that can happen refuses the program (exit 2, E0401 at the node) with the",
            "shortest, then least, witness input, confirmed by the interpreter, e.g. an aggregate of",
            "`select(indices % 5, indices, ==)` at `--max-len 8` with witness \"aaaaab\", past the",
            "5 tokens exhaustive search reaches. `--timeout S` (default 20) bounds Z3; if it stops",
            "early, the aggregates' obligations fall back to exhaustive search over inputs of up to 5",
            "tokens, `proven_safe_up_to` is the length Z3 reached and `smt_stopped` says why.",
            "",
            "## Counterexamples for a failing compilation: `raspkit cex`",
            "",
            "`raspkit cex FILE --expr E --vocab V --max-len N [--model model.safetensors] [--seed S]",
            "[--timeout S] [--json] [-o corpus/regress/NAME.rasp]` looks for an input on which compiled",
            "weights and the interpreter disagree. Without `--model` it compiles the program as",
            "`raspkit compile` does (optimal schedule; `--schedule asap` and `--width-fusion` as the",
            "model was compiled with);",
            "with `--model` it reads the safetensors file back into that layout (its config beside it",
            "must have the same layout, vocabulary and max length, else exit 2). In order:",
            "1. hazards by SMT (checkers/smt/hazards.h): the compiler's unproven assumptions and the",
            "   selector widths' range, proven for every length up to N or refuted with the least",
            "   input, which is then run through the weights;",
            "2. every input of the shortest lengths, in vocabulary order, while they number at most",
            "   `--exhaustive` (default 20000): the first failing one is the least counterexample;",
            "3. `--random` inputs (default 2000) of the longer lengths from a fixed seed (`--seed`,",
            "   default 1, printed), a failing one shrunk by dropping positions and moving tokens to",
            "   earlier vocabulary symbols.",
            "Inputs on which the interpreter itself fails are outside the program and never count.",
            "For the counterexample it runs the weights stage by stage (`forward_stages`) and reads",
            "every s-op that has directions in the residual back after the embedding and after each",
            "attention and MLP sublayer: a one-hot as the values whose direction exceeds 0.5, a",
            "numerical direction as the nearest value of its value set, a selector width's BOS weight",
            "as the nearest 1/(w+1). The first stage, s-op and position that differ from the",
            "interpreter's trace is `first_divergence` (`layer` counts from 0 as in the tensor names,",
            "-1 for the embedding; `sublayer` is embedding, attention, mlp, or output when only the",
            "output readout goes wrong). `-o` writes a corpus file: the source without its directives,",
            "`# EXPR:`, `# INPUT: <input> -> <interpreter output>` and `# COMPILES:` for the same",
            "vocabulary and length, so `raspkit check` runs it against a fresh compilation; without",
            "`-o` a path is suggested. Exit 10 with a counterexample; 0 when none was found (`proven_up_to`",
            "is the length up to which every input was run; above it the search sampled, and the",
            "output says so); 5 when `--timeout` ran out; 2 for a bad program or model. `--json` prints",
            "`{\"verdict\": \"counterexample\"|\"none\"|\"inconclusive\", \"input\", \"output_interpreter\",",
            "\"output_compiled\", \"first_divergence\": {\"layer\", \"sublayer\", \"sop\", \"position\", \"line\",",
            "\"interpreter\", \"residual\", \"reading\"}, \"method\": \"smt-hazard\"|\"exhaustive\"|\"random\"|",
            "\"exhaustive+random\", \"seed\", \"regress_file\", \"max_len\", \"proven_up_to\", \"coverage\",",
            "\"hazards\"}`, fields present when they apply; the same command prints the same bytes.",
            ""]
    print("\n".join(out))


if __name__ == "__main__":
    main()
