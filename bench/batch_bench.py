"""Times `raspkit run --inputs` (batch mode) on the paper's sort at n = 100.

Usage: batch_bench.py RASPKIT_BINARY SOURCE_DIR OUT.json [REPS]

Runs one process over N random length-100 inputs and one over a single input, REPS times
each, and writes the medians: wall and CPU seconds per input over the whole batch (process
start, program load, JSON in and out included) and the marginal cost of one more input.
"""
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time

N = 2000


def run(binary, program, inputs_file):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([binary, "run", program, "--expr", "sorted_tokens", "--inputs", inputs_file, "--json"],
                   check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    binary, source, out = sys.argv[1], sys.argv[2], sys.argv[3]
    reps = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    program = os.path.join(source, "corpus", "paper", "sort.rasp")
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        many, one = os.path.join(tmp, "many.jsonl"), os.path.join(tmp, "one.jsonl")
        lines = [json.dumps("".join(rng.choice("abcde") for _ in range(100))) for _ in range(N)]
        with open(many, "w") as f:
            f.write("\n".join(lines) + "\n")
        with open(one, "w") as f:
            f.write(lines[0] + "\n")
        batches = [run(binary, program, many) for _ in range(reps)]
        singles = [run(binary, program, one) for _ in range(reps)]
    wall_n = statistics.median(w for w, _ in batches)
    cpu_n = statistics.median(c for _, c in batches)
    wall_1 = statistics.median(w for w, _ in singles)
    cpu_1 = statistics.median(c for _, c in singles)
    result = {
        "inputs": N,
        "n": 100,
        "repetitions": reps,
        "load_avg": os.getloadavg()[0],
        "wall_per_input": wall_n / N,
        "cpu_per_input": cpu_n / N,
        "marginal_wall_per_input": (wall_n - wall_1) / (N - 1),
        "marginal_cpu_per_input": (cpu_n - cpu_1) / (N - 1),
        "single_input_process_wall": wall_1,
    }
    with open(out, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
