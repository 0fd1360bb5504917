#!/usr/bin/env bash
# Runs every benchmark in one go and writes BENCHMARKS.md (medians of BENCH_REPS repetitions, default 5).
# Usage: bench/run_benchmarks.sh [bench names...]   (default: all *_bench programs and batch_bench,
# the CLI's batch mode)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${RASPKIT_BUILD:-$root/build}"
"$root/scripts/build"
out="$(mktemp -d)"
names=("$@")
[ ${#names[@]} -gt 0 ] || names=($(cd "$build/bench" && ls *_bench) batch_bench)
for b in "${names[@]}"; do
  echo "bench: running $b" >&2
  if [ "$b" = batch_bench ]; then
    # Batch mode through the CLI itself: see bench/batch_bench.py.
    /usr/bin/python3 "$root/bench/batch_bench.py" "$build/bin/raspkit" "$root" "$out/batch_bench.json" "${BENCH_REPS:-5}"
    continue
  fi
  # Repetitions interleaved at random, so a slow phase of this shared machine spreads over
  # every row instead of landing on one.
  "$build/bench/$b" --benchmark_repetitions="${BENCH_REPS:-5}" --benchmark_report_aggregates_only=true \
    --benchmark_enable_random_interleaving=true \
    --benchmark_out="$out/$b.json" --benchmark_out_format=json >/dev/null
done
/usr/bin/python3 "$root/bench/write_benchmarks_md.py" "$out" "${names[@]}" > "$root/BENCHMARKS.md"
echo "bench: wrote BENCHMARKS.md" >&2
