// bench/interp_bench.cpp - The interpreter on the paper's programs beside plain C++ loops.
//
// Each plain loop computes the same function the way the RASP program does (every query
// scans every key), so the ratio measures the interpreter's overhead, not the algorithm.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>
#include <cassert>
#include <random>
#include <string>
#include <vector>

#include "lib/front/front.h"
#include "lib/interp/evaluator.h"

namespace {

struct Loaded {
  rasp::front::Module module;
  rasp::ir::NodeId root;
};

Loaded load(const std::string& file, const std::string& expr) {
  auto module = rasp::front::load_file(std::string(RASPKIT_SOURCE_DIR) + "/corpus/" + file);
  assert(module && "benchmark program loads");
  auto root = rasp::front::evaluate_expression(*module, expr);
  assert(root && "benchmark expression evaluates");
  return {std::move(*module), *root};
}

std::vector<std::string> random_tokens(std::size_t n, const std::string& alphabet, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> out(n);
  for (auto& t : out) t = std::string(1, alphabet[rng() % alphabet.size()]);
  return out;
}

// Balanced-ish bracket strings keep Dyck-2 busy to the end.
std::vector<std::string> brackets(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> out;
  std::vector<char> open;
  while (out.size() < n) {
    if (!open.empty() && (rng() % 2 == 0 || open.size() + out.size() >= n)) {
      out.emplace_back(1, open.back() == '(' ? ')' : '}');
      open.pop_back();
    } else {
      char c = rng() % 2 ? '(' : '{';
      open.push_back(c);
      out.emplace_back(1, c);
    }
  }
  return out;
}

// Eight different inputs of length n in turn, as a batch of equal-length inputs meets them.
// `reuse`: Options::reuse, what nodes that do not read tokens (`length`, index arithmetic,
// selectors on indices) computed for the input before is kept; off, every evaluation
// computes every node (the Fresh rows).
void run_program(benchmark::State& state, const char* file, const char* expr, bool dyck, bool reuse) {
  static std::map<std::string, Loaded> cache;
  auto it = cache.find(file);
  if (it == cache.end()) it = cache.emplace(file, load(file, expr)).first;
  auto n = static_cast<std::size_t>(state.range(0));
  std::vector<std::vector<rasp::ir::Value>> inputs;
  for (unsigned seed = 7; seed < 15; ++seed) {
    auto tokens = dyck ? brackets(n, seed) : random_tokens(n, "abcde", seed);
    std::vector<rasp::ir::Value> input;
    for (const auto& t : tokens) input.push_back(rasp::ir::Value::string(t));
    inputs.push_back(std::move(input));
  }
  rasp::interp::Options options;
  options.reuse = reuse;
  std::size_t next = 0;
  for (auto _ : state) {
    auto out = rasp::interp::evaluate(it->second.module.program, it->second.root, inputs[next], options);
    if (!out) state.SkipWithError("evaluation failed");
    benchmark::DoNotOptimize(out);
    next = (next + 1) % inputs.size();
  }
}

#define RASP_PROGRAM(name, file, expr, dyck)                                                              \
  void BM_Interp_##name(benchmark::State& s) { run_program(s, file, expr, dyck, true); }      \
  void BM_InterpFresh_##name(benchmark::State& s) { run_program(s, file, expr, dyck, false); }
RASP_PROGRAM(Reverse, "paper/reverse.rasp", "reverse", false)
RASP_PROGRAM(Sort, "paper/sort.rasp", "sorted_tokens", false)
RASP_PROGRAM(Hist, "paper/hist.rasp", "hist", false)
RASP_PROGRAM(MostFreq, "paper/most_freq.rasp", "most_freq", false)
RASP_PROGRAM(Dyck2, "paper/dyck2_ptf.rasp", "dyck2_ptf", true)

// ----- plain loops: every query scans every key -----

void BM_Plain_Reverse(benchmark::State& state) {
  auto n = static_cast<std::size_t>(state.range(0));
  auto t = random_tokens(n, "abcde", 7);
  for (auto _ : state) {
    std::vector<std::string> out(n);
    for (std::size_t q = 0; q < n; ++q) {
      for (std::size_t k = 0; k < n; ++k) {
        if (k == n - q - 1) out[q] = t[k];
      }
    }
    benchmark::DoNotOptimize(out);
  }
}

void BM_Plain_Hist(benchmark::State& state) {
  auto n = static_cast<std::size_t>(state.range(0));
  auto t = random_tokens(n, "abcde", 7);
  for (auto _ : state) {
    std::vector<int> out(n);
    for (std::size_t q = 0; q < n; ++q) {
      for (std::size_t k = 0; k < n; ++k) out[q] += t[k] == t[q];
    }
    benchmark::DoNotOptimize(out);
  }
}

void BM_Plain_Sort(benchmark::State& state) {
  auto n = static_cast<std::size_t>(state.range(0));
  auto t = random_tokens(n, "abcde", 7);
  for (auto _ : state) {
    std::vector<std::size_t> place(n);
    for (std::size_t q = 0; q < n; ++q) {
      for (std::size_t k = 0; k < n; ++k) place[q] += t[k] < t[q] || (t[k] == t[q] && k < q);
    }
    std::vector<std::string> out(n);
    for (std::size_t q = 0; q < n; ++q) {
      for (std::size_t k = 0; k < n; ++k) {
        if (place[k] == q) out[q] = t[k];
      }
    }
    benchmark::DoNotOptimize(out);
  }
}

void BM_Plain_MostFreq(benchmark::State& state) {
  auto n = static_cast<std::size_t>(state.range(0));
  auto t = random_tokens(n, "abcde", 7);
  for (auto _ : state) {
    std::vector<long> key(n);
    for (std::size_t q = 0; q < n; ++q) {
      long freq = 0;
      bool seen = false;
      for (std::size_t k = 0; k < n; ++k) {
        freq += t[k] == t[q];
        seen = seen || (t[k] == t[q] && k < q);
      }
      key[q] = seen ? 1 : -freq;
    }
    std::vector<std::size_t> place(n);
    for (std::size_t q = 0; q < n; ++q) {
      for (std::size_t k = 0; k < n; ++k) place[q] += key[k] < key[q] || (key[k] == key[q] && k < q);
    }
    std::vector<std::string> out(n);
    for (std::size_t q = 0; q < n; ++q) {
      for (std::size_t k = 0; k < n; ++k) {
        if (place[k] == q) out[q] = t[k];
      }
    }
    benchmark::DoNotOptimize(out);
  }
}

void BM_Plain_Dyck2(benchmark::State& state) {
  auto n = static_cast<std::size_t>(state.range(0));
  auto t = brackets(n, 7);
  for (auto _ : state) {
    // The same quantities as the RASP program: prefix depth, level, and per-closer the
    // mean "(" excess over earlier crossings of its level, then a prefix "failed" flag.
    std::vector<long> depth(n), level(n);
    std::vector<bool> bad(n);
    for (std::size_t q = 0; q < n; ++q) {
      long d = 0;
      for (std::size_t k = 0; k <= q; ++k) d += (t[k] == "(" || t[k] == "{") ? 1 : -1;
      depth[q] = d;
      bool opener = t[q] == "(" || t[q] == "{";
      level[q] = opener ? d - 1 : d;
    }
    for (std::size_t q = 0; q < n; ++q) {
      long sum = 0, count = 0;
      for (std::size_t k = 0; k < q; ++k) {
        if (level[k] == level[q]) {
          sum += t[k] == "(" ? 1 : (t[k] == ")" ? -1 : 0);
          ++count;
        }
      }
      bool positive = count > 0 && sum > 0, zero = count == 0 || sum == 0;
      bad[q] = (t[q] == ")" && !positive) || (t[q] == "}" && !zero) || depth[q] < 0;
    }
    std::vector<char> out(n);
    for (std::size_t q = 0; q < n; ++q) {
      bool failed = false;
      for (std::size_t k = 0; k <= q; ++k) failed = failed || bad[k];
      out[q] = failed ? 'F' : (depth[q] == 0 ? 'T' : 'P');
    }
    benchmark::DoNotOptimize(out);
  }
}

}  // namespace

#define RASP_SIZES ->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond)
BENCHMARK(BM_Interp_Reverse) RASP_SIZES;
BENCHMARK(BM_InterpFresh_Reverse) RASP_SIZES;
BENCHMARK(BM_Plain_Reverse) RASP_SIZES;
BENCHMARK(BM_Interp_Sort) RASP_SIZES;
BENCHMARK(BM_InterpFresh_Sort) RASP_SIZES;
BENCHMARK(BM_Plain_Sort) RASP_SIZES;
BENCHMARK(BM_Interp_Hist) RASP_SIZES;
BENCHMARK(BM_InterpFresh_Hist) RASP_SIZES;
BENCHMARK(BM_Plain_Hist) RASP_SIZES;
BENCHMARK(BM_Interp_MostFreq) RASP_SIZES;
BENCHMARK(BM_InterpFresh_MostFreq) RASP_SIZES;
BENCHMARK(BM_Plain_MostFreq) RASP_SIZES;
BENCHMARK(BM_Interp_Dyck2) RASP_SIZES;
BENCHMARK(BM_InterpFresh_Dyck2) RASP_SIZES;
BENCHMARK(BM_Plain_Dyck2) RASP_SIZES;

BENCHMARK_MAIN();
