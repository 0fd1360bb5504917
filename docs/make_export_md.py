#!/usr/bin/env python3
"""Writes docs/export.md: the TransformerLens-shaped export, its files, a worked example and
the exported shapes of tracr's library tasks beside tracr's.

usage: docs/make_export_md.py [RASPKIT] > docs/export.md
RASPKIT defaults to build/bin/raspkit. Run from the source root.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_compile_md import LETTERS, NUMBERS, TASKS  # noqa: E402

RASPKIT = sys.argv[1] if len(sys.argv) > 1 else "build/bin/raspkit"
EXAMPLE = ["corpus/paper/reverse.rasp", "--expr", "reverse", "--vocab", "a,b", "--max-len", "3"]


def export(args, out_dir):
    cmd = [RASPKIT, "compile", *args, "--format", "transformerlens", "-o", out_dir]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        first = (run.stderr.strip().splitlines() or ["?"])[0]
        return None, first[first.rfind("[") + 1:first.rfind("]")] if "[" in first else "error"
    with open(os.path.join(out_dir, "model.safetensors"), "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    files = {}
    for name in ("config.json", "circuit.json", "vocab.json"):
        with open(os.path.join(out_dir, name)) as f:
            files[name] = json.load(f)
    header.pop("__metadata__", None)
    return {"shapes": {k: v["shape"] for k, v in header.items()}, **files}, None


def task_args(file, expr, tokens, n):
    vocab = NUMBERS if tokens == "int" else LETTERS
    if "shuffle_dyck" in file or "pair_balance" in file:
        vocab = "(,),{,}" if "shuffle" in file else "(,)"
    return ["corpus/tracr/" + file, "--expr", expr, "--tokens", tokens, "--vocab", vocab,
            "--max-len", str(n)], vocab


def tracr_shapes(layers, heads, mlp, residual):
    """What tracr's TransformerLens conversion makes of ANCHORS.md's row: a block per attention
    and MLP sublayer pair, the widest layer's heads and MLP for every block."""
    if not layers:
        return ""
    # ANCHORS.md's layers are attention+MLP pairs (length: 1 layer with a head and an MLP;
    # reverse: 4 layers, heads listed for its 2 attention layers only), so one block each.
    blocks = int(layers)
    widths = [int(x) for x in mlp.replace("up to", "").split("/")[0].replace(" ", "").split(",")]
    n_heads = max(int(x) for x in heads.split(","))
    return f"{blocks} / {n_heads} / {max(widths)} / {residual.split('/')[0].strip()}"


def shape_cell(e):
    c = e["config.json"]
    return f"{c['n_layers']} / {c['n_heads']} / {c['d_head']} / {c['d_mlp']} / {c['d_model']}"


def fenced(text, lang="json"):
    return [f"```{lang}", text, "```"]


def main():
    out = ["# The TransformerLens-shaped export", "",
           "Made by `docs/make_export_md.py build/bin/raspkit > docs/export.md`: every example",
           "and number below was written by that command, not by hand.", "",
           "`raspkit compile FILE --expr E --vocab V --max-len N --format transformerlens -o DIR`",
           "writes four files into DIR (the default `--format safetensors` is unchanged):", "",
           "| file | what it holds |", "|---|---|",
           "| model.safetensors | the state dict, with TransformerLens's names and shapes |",
           "| config.json | HookedTransformerConfig keyword arguments, plus a `raspkit` entry |",
           "| circuit.json | the ground truth: where every RASP node lives, and the edges |",
           "| vocab.json | token ids (BOS, PAD) and how to decode the output |", "",
           "## Loading it", "",
           "With TransformerLens (not a Debian package, so our CI does not run this part):", ""]
    out += fenced("\n".join([
        "cfg = json.load(open(f\"{d}/config.json\")); cfg.pop(\"raspkit\")",
        "model = HookedTransformer(HookedTransformerConfig(**cfg))",
        "state = safetensors.torch.load_file(f\"{d}/model.safetensors\")",
        "model.load_state_dict(state, strict=False)  # the missing keys are only the attn.mask/IGNORE buffers",
        "logits = model(torch.tensor([ids]))          # ids from vocab.json, BOS first"]), "python")
    out += ["",
            "Without it, `examples/torch_forward.py DIR INPUT...` runs the same equations in",
            "torch.einsum; `tests/tools/export/torch_export_test.py` (ctest",
            "`export.transformerlens_torch`) checks it against the interpreter and `raspkit run",
            "--compiled` on reverse, hist, tracr_sort, frac_prevs and double_hist,",
            "one input at a time and as right-padded batches, and checks circuit.json by ablation.",
            "",
            "## Conventions (how our model maps onto TransformerLens's)", "",
            "- Blocks: our layer is one TransformerLens block: all heads read `resid_pre`, the MLP",
            "  reads `resid_mid`; `parallel_attn_mlp` false, no normalisation",
            "  (`normalization_type` null), `act_fn` relu.",
            "- Attention: our logits are `q.k` with the logit scale already in W_Q, so",
            "  `use_attn_scale` is false and `attn_scale` 1. Our attention is bidirectional",
            "  (`attention_dir` \"bidirectional\": no causal mask) and position 0 always holds BOS",
            "  (`default_prepend_bos` true; `n_ctx` = max length + 1).",
            "- Biases: every `b_*` tensor is zero. Biases stay folded into W_in and W_Q through the",
            "  residual direction `one` (1 at every non-BOS position): this keeps every MLP unit at 0",
            "  on the BOS position, which the attention to BOS relies on. Moving them into b_in",
            "  would break that.",
            "- Padding of shapes: every block has `n_heads` heads of width `d_head` and an MLP of",
            "  width `d_mlp` (the largest in the model). A layer with fewer heads gets all-zero",
            "  heads (circuit.json marks them `padding`), a narrower head uses the first columns of",
            "  d_head and leaves the rest zero, a narrower MLP the first hidden units, and a layer",
            "  without an MLP an all-zero one. config.json's `raspkit` entry lists the real",
            "  `heads_per_layer`, `head_widths` and `mlp_hidden`.",
            "- PAD: the residual has one more direction than our own model, `pad` (the last).",
            "  `W_E[pad_id]` is that direction alone, and every head uses one extra query/key column:",
            "  the query reads `bos + one` (1 at every real position) and the key reads `pad` times",
            "  -1e6. TransformerLens masks no padding in bidirectional attention, so this is what",
            "  keeps right-padded batches exact; on unpadded inputs the column adds exactly 0.",
            "  Pad on the right only, and pass no attention_mask. Outputs at PAD positions mean",
            "  nothing.",
            "- Unembedding: for a categorical output, column j of W_U is the readout of",
            "  `vocab.json` output value j (argmax decodes); for a numerical output, W_U has one",
            "  column, the s-op's value, which decodes to the nearest value it can take.", ""]
    with tempfile.TemporaryDirectory() as d:
        e, err = export(EXAMPLE, d)
    if e is None:
        sys.exit(f"the worked example failed to compile: {err}")
    out += ["## Worked example", "",
            f"`raspkit compile {' '.join(EXAMPLE)} --format transformerlens -o DIR`", "",
            "corpus/paper/reverse.rasp:", ""]
    with open(EXAMPLE[0]) as f:
        out += fenced("".join(line for line in f if not line.startswith("#")).strip(), "")
    out += ["", "### model.safetensors (names and shapes)", ""]
    out += fenced("\n".join(f"{k}: {v}" for k, v in e["shapes"].items()), "")
    out += ["", "### config.json", ""]
    out += fenced(json.dumps(e["config.json"], indent=1))
    out += ["", "### vocab.json", ""]
    out += fenced(json.dumps(e["vocab.json"], indent=1))
    c = e["circuit.json"]
    out += ["", "### circuit.json", "",
            "- `residual`: d_model and the special directions (`bos`, `one`, `pad`).",
            "- `components`: `embed`, `pos_embed`, `blocks.{l}.attn.{h}` (every head slot, with",
            "  `padding` for the zero ones), `blocks.{l}.mlp` (with its `units` range) and",
            "  `unembed`; `hook` names the TransformerLens hook to patch (`hook_z` indexed by the",
            "  head); `on_output_path` says whether the unembedding is reachable from it by edges.",
            "- `nodes`: every RASP node the output depends on: id, name, kind, source line and",
            "  column (`library: true` when they are the library's, not the program's lines),",
            "  its operands (`inputs`, node ids), `locations` (a head with part `head`;",
            "  the heads whose logits a selector sets, part `qk`; an MLP with its hidden-unit",
            "  range `units` [begin, end) and part `map`, `width_decode` or `shadow`; `embed` or",
            "  `pos_embed` for tokens, indices and maps folded into the embeddings) and",
            "  `directions` (residual dimension, s-op, value, role). Nodes with neither say why",
            "  under `folded`.",
            "- `edges`: component A to component B on `port` q, k, v (heads) or in (MLPs and",
            "  the unembedding) when B's weights read a residual dimension A's weights write,",
            "  with those dimensions and their s-ops. They are read off the exported matrices,",
            "  so they are the model's edges, not a guess from the program; the bias directions",
            "  (`bos`, `one`, `pad`) are left out.", "",
            f"For the example ({len(c['nodes'])} nodes, {len(c['edges'])} edges), the components:", ""]
    out += fenced(json.dumps(c["components"], indent=1))
    out += ["", "the node `reverse` and the edges:", ""]
    out += fenced(json.dumps([n for n in c["nodes"] if n["name"] == "reverse"], indent=1))
    out += fenced(json.dumps(c["edges"], indent=1))
    out += ["", "## tracr's library tasks", "",
            "Exported at N=5 (max length), vocabulary {a..e} or {1,2,3} as in docs/compile.md.",
            "Each shape cell is n_layers / n_heads / d_head / d_mlp / d_model of the exported",
            "TransformerLens model (d_model includes the pad direction). tracr's column applies",
            "the same rule to ANCHORS.md's figures at N=5, as tracr's TransformerLens conversion",
            "lays it out: a block per layer (ANCHORS.md's layers are attention+MLP pairs), n_heads",
            "and d_mlp the widest layer's,",
            "d_model the residual width (tracr's d_head is not in ANCHORS.md).", "",
            "| task | vocab | raspkit: blocks / n_heads / d_head / d_mlp / d_model | d_vocab / "
            "n_ctx / d_vocab_out | padding heads | tracr: blocks / n_heads / d_mlp / d_model |",
            "|---|---|---|---|---|---|"]
    for (file, expr, tokens, t_layers, t_heads, t_mlp, t_res) in TASKS:
        args, vocab = task_args(file, expr, tokens, 5)
        with tempfile.TemporaryDirectory() as d:
            e, err = export(args, d)
        tracr = tracr_shapes(t_layers, t_heads, t_mlp, t_res)
        if e is None:
            out.append(f"| {expr} | {vocab} | refused ({err}) | | | {tracr} |")
            continue
        cfg = e["config.json"]
        pads = sum(1 for comp in e["circuit.json"]["components"] if comp["kind"] == "attention"
                   and comp["padding"])
        out.append(f"| {expr} | {vocab} | {shape_cell(e)} | {cfg['d_vocab']} / {cfg['n_ctx']} / "
                   f"{cfg['d_vocab_out']} | {pads} | {tracr} |")
    print("\n".join(out))


if __name__ == "__main__":
    main()
