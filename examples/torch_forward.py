#!/usr/bin/env python3
"""Run a `raspkit compile --format transformerlens` model with PyTorch alone.

usage: torch_forward.py DIR [--batch] [--ablate L.H]... [--dtype float32|float64] INPUT...

DIR holds model.safetensors, config.json and vocab.json. The forward pass below is
TransformerLens's HookedTransformer written out with torch.einsum (no TransformerLens
needed): embed + pos_embed, then per block attention (all heads read the same residual)
and a ReLU MLP, then the unembedding; no normalisation. Each INPUT is JSON: a string is
one token per character ("abc"), a list one token per element ([1, 2, 3]). Prints one
JSON line per input: the decoded output s-op. --batch runs all inputs as one right-padded
batch; --ablate L.H zeroes head H of block L (its hook_z), as an ablation study would.
"""
import argparse
import json
import os
import struct
import sys

import numpy as np
import torch

DTYPES = {"F32": np.float32, "F64": np.float64}


def load_safetensors(path, dtype=torch.float32):
    with open(path, "rb") as f:
        blob = f.read()
    (header_len,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + header_len])
    data = blob[8 + header_len:]
    state = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype=np.dtype(DTYPES[info["dtype"]]).newbyteorder("<"))
        state[name] = torch.from_numpy(array.reshape(info["shape"]).astype(array.dtype.newbyteorder("="))).to(dtype)
    return state


def load(directory, dtype=torch.float32):
    """The state dict, the config (HookedTransformerConfig fields) and the vocabulary."""
    state = load_safetensors(os.path.join(directory, "model.safetensors"), dtype)
    with open(os.path.join(directory, "config.json")) as f:
        config = json.load(f)
    with open(os.path.join(directory, "vocab.json")) as f:
        vocab = json.load(f)
    return state, config, vocab


def forward(state, cfg, ids, ablate=()):
    """Logits [batch, pos, d_vocab_out] for token ids [batch, pos], TransformerLens's way.

    `ablate` lists (layer, head) pairs whose z (the attention-weighted values) is zeroed.
    """
    resid = state["embed.W_E"][ids] + state["pos_embed.W_pos"][: ids.shape[1]]
    scale = cfg["attn_scale"] if cfg.get("use_attn_scale", True) else 1.0
    n = ids.shape[1]
    causal = torch.tril(torch.ones(n, n, dtype=torch.bool))
    for layer in range(cfg["n_layers"]):
        p = f"blocks.{layer}."
        q = torch.einsum("bpm,hmd->bphd", resid, state[p + "attn.W_Q"]) + state[p + "attn.b_Q"]
        k = torch.einsum("bpm,hmd->bphd", resid, state[p + "attn.W_K"]) + state[p + "attn.b_K"]
        v = torch.einsum("bpm,hmd->bphd", resid, state[p + "attn.W_V"]) + state[p + "attn.b_V"]
        scores = torch.einsum("bqhd,bkhd->bhqk", q, k) / scale
        if cfg["attention_dir"] == "causal":
            scores = scores.masked_fill(~causal, float("-inf"))
        pattern = torch.softmax(scores, dim=-1)
        z = torch.einsum("bkhd,bhqk->bqhd", v, pattern)
        for (l, h) in ablate:
            if l == layer:
                z[:, :, h, :] = 0
        attn_out = torch.einsum("bqhd,hdm->bqm", z, state[p + "attn.W_O"]) + state[p + "attn.b_O"]
        resid = resid + attn_out
        if not cfg.get("attn_only", False):
            pre = torch.einsum("bpm,mf->bpf", resid, state[p + "mlp.W_in"]) + state[p + "mlp.b_in"]
            post = torch.relu(pre)
            resid = resid + torch.einsum("bpf,fm->bpm", post, state[p + "mlp.W_out"]) + state[p + "mlp.b_out"]
    return torch.einsum("bpm,mv->bpv", resid, state["unembed.W_U"]) + state["unembed.b_U"]


def encode(tokens, vocab):
    """Token ids for one input: BOS first, then one id per token."""
    ids = [vocab["bos_id"]]
    for t in tokens:
        key = t if isinstance(t, str) else json.dumps(t)
        if key not in vocab["token_to_id"]:
            sys.exit(f"token {t!r} is not in the vocabulary")
        ids.append(vocab["token_to_id"][key])
    return ids


def decode(logits, length, vocab):
    """The output s-op's values at positions 1..length of one sequence's logits."""
    out = vocab["output"]
    values = out["values"]
    rows = logits[1:length + 1].double()
    if out["encoding"] == "categorical":
        return [values[int(i)] for i in rows.argmax(dim=-1)]
    numbers = torch.tensor([float(v) for v in values], dtype=torch.float64)
    return [values[int((numbers - r[0]).abs().argmin())] for r in rows]


def run(state, cfg, vocab, inputs, batch=False, ablate=()):
    """Decoded outputs for a list of token lists, one forward pass each or one batch."""
    encoded = [encode(t, vocab) for t in inputs]
    if any(len(ids) > cfg["n_ctx"] for ids in encoded):
        sys.exit(f"input longer than the model's maximum length {cfg['n_ctx'] - 1}")
    if not batch:
        return [decode(forward(state, cfg, torch.tensor([ids]), ablate)[0], len(ids) - 1, vocab)
                for ids in encoded]
    width = max(len(ids) for ids in encoded)
    padded = torch.tensor([ids + [vocab["pad_id"]] * (width - len(ids)) for ids in encoded])
    logits = forward(state, cfg, padded, ablate)
    return [decode(logits[i], len(ids) - 1, vocab) for i, ids in enumerate(encoded)]


def parse_tokens(text):
    tokens = json.loads(text)
    return list(tokens) if isinstance(tokens, str) else tokens


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    parser.add_argument("--batch", action="store_true")
    parser.add_argument("--ablate", action="append", default=[], metavar="L.H")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("inputs", nargs="+")
    args = parser.parse_args()
    dtype = torch.float64 if args.dtype == "float64" else torch.float32
    state, cfg, vocab = load(args.dir, dtype)
    ablate = [tuple(int(x) for x in a.split(".")) for a in args.ablate]
    outputs = run(state, cfg, vocab, [parse_tokens(t) for t in args.inputs], args.batch, ablate)
    for out in outputs:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
