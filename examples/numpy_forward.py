#!/usr/bin/env python3
"""Run a model written by `raspkit compile` with numpy alone.

usage: numpy_forward.py MODEL.safetensors [--config MODEL.json] INPUT...

Each INPUT is JSON: a string is one token per character ("abc"), a list one token per
element ([1, 2, 3]). Prints one JSON line per input: the decoded output s-op.
"""
import argparse
import json
import os
import struct
import sys

import numpy as np

DTYPES = {"F32": np.float32, "F64": np.float64}


def load_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (header_len,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + header_len])
    data = blob[8 + header_len:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = np.dtype(DTYPES[info["dtype"]]).newbyteorder("<")
        tensors[name] = np.frombuffer(data[begin:end], dtype=dtype).reshape(info["shape"])
    return tensors


def forward(tensors, config, rows):
    dtype = tensors["token_embedding"].dtype
    x = tensors["token_embedding"][rows] + tensors["position_embedding"][: len(rows)]
    for layer, contents in enumerate(config["layer_contents"]):
        delta = np.zeros_like(x)
        for head in range(len(contents["heads"])):
            p = f"layers.{layer}.heads.{head}."
            logits = (x @ tensors[p + "w_q"]) @ (x @ tensors[p + "w_k"]).T
            logits = logits - logits.max(axis=1, keepdims=True)
            weights = np.exp(logits)
            weights /= weights.sum(axis=1, keepdims=True)
            delta += weights @ (x @ tensors[p + "w_v"]) @ tensors[p + "w_o"]
        x = x + delta
        if f"layers.{layer}.mlp.w_in" in tensors:
            hidden = np.maximum(x @ tensors[f"layers.{layer}.mlp.w_in"], dtype.type(0))
            x = x + hidden @ tensors[f"layers.{layer}.mlp.w_out"]
    return x


def readout(x, pairs):
    return sum(coef * x[:, int(dim)] for dim, coef in pairs) if pairs else np.zeros(len(x))


def decode(x, output):
    x = x.astype(np.float64)[1:]  # drop BOS
    values = output["values"]
    if output["encoding"] == "categorical":
        scores = np.stack([readout(x, r) for r in output["readouts"]], axis=1)
        return [values[i] for i in scores.argmax(axis=1)]
    raw = readout(x, output["readout"])
    numbers = np.array([float(v) for v in values])
    return [values[int(np.abs(numbers - r).argmin())] for r in raw]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--config")
    parser.add_argument("inputs", nargs="+")
    args = parser.parse_args()
    config_path = args.config or os.path.splitext(args.model)[0] + ".json"
    with open(config_path) as f:
        config = json.load(f)
    tensors = load_safetensors(args.model)
    vocab = config["vocab"]
    for text in args.inputs:
        tokens = json.loads(text)
        tokens = list(tokens) if isinstance(tokens, str) else tokens
        if len(tokens) > config["max_len"]:
            sys.exit(f"input longer than the model's maximum length {config['max_len']}")
        rows = [0]
        for t in tokens:
            matches = [i for i, v in enumerate(vocab) if v == t and type(v) is type(t)]
            matches = matches or [i for i, v in enumerate(vocab) if v == t]
            if not matches:
                sys.exit(f"token {t!r} is not in the vocabulary")
            rows.append(1 + matches[0])
        print(json.dumps(decode(forward(tensors, config, np.array(rows)), config["output"])))


if __name__ == "__main__":
    main()
