// bench/compile_bench.cpp - Compile time and forward-pass throughput of compiled corpus programs.
//
// Sizes N = 8, 32, 128 (the max length the weights are exact up to); the forward pass runs
// one full-length input, and tokens/s counts the N input positions per pass.
#include <benchmark/benchmark.h>

#include <cassert>
#include <random>
#include <string>
#include <vector>

#include "lib/compile/forward.h"
#include "lib/compile/model.h"
#include "lib/front/front.h"

namespace {

struct Program {
  rasp::front::Module module;
  rasp::ir::NodeId root;
};

Program load(const std::string& file, const std::string& expr) {
  auto module = rasp::front::load_file(std::string(RASPKIT_SOURCE_DIR) + "/corpus/" + file);
  assert(module && "benchmark program loads");
  auto root = rasp::front::evaluate_expression(*module, expr);
  assert(root && "benchmark expression evaluates");
  return {std::move(*module), *root};
}

rasp::compile::CompileOptions options(int n) {
  rasp::compile::CompileOptions o;
  for (char c : std::string("abcde")) o.vocab.push_back(rasp::ir::Value::string(std::string(1, c)));
  o.max_len = n;
  return o;
}

std::vector<rasp::ir::Value> input(int n) {
  std::mt19937 rng(7);
  std::vector<rasp::ir::Value> out;
  for (int i = 0; i < n; ++i) out.push_back(rasp::ir::Value::string(std::string(1, "abcde"[rng() % 5])));
  return out;
}

// A program the compiler refuses at this size is reported with the compiler's reason.
void refused(benchmark::State& state, const rasp::Diagnostics& why) {
  std::string message = "refused: " + why.front().message;
  state.SkipWithError(message.c_str());
}

void compile_time(benchmark::State& state, const char* file, const char* expr) {
  Program p = load(file, expr);
  auto o = options(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto model = rasp::compile::compile(p.module.program, p.root, o);
    if (!model) {
      refused(state, model.error());
      break;
    }
    benchmark::DoNotOptimize(model);
  }
}

void forward_pass(benchmark::State& state, const char* file, const char* expr,
                  rasp::compile::Precision precision) {
  Program p = load(file, expr);
  int n = static_cast<int>(state.range(0));
  auto model = rasp::compile::compile(p.module.program, p.root, options(n));
  if (!model) {
    refused(state, model.error());
    return;
  }
  auto in = input(n);
  for (auto _ : state) {
    auto out = rasp::compile::run_compiled(*model, in, precision);
    benchmark::DoNotOptimize(out);
  }
  state.counters["tokens/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * n, benchmark::Counter::kIsRate);
  state.counters["params"] = static_cast<double>(model->parameter_count());
}

using rasp::compile::Precision;

BENCHMARK_CAPTURE(compile_time, reverse, "tracr/reverse.rasp", "reversed")
    ->Arg(8)->Arg(32)->Arg(128)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(compile_time, hist, "paper/hist.rasp", "hist")
    ->Arg(8)->Arg(32)->Arg(128)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(compile_time, frac_prevs, "tracr/frac_prevs.rasp", "frac_prevs")
    ->Arg(8)->Arg(32)->Arg(128)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(forward_pass, reverse_f64, "tracr/reverse.rasp", "reversed", Precision::Float64)
    ->Arg(8)->Arg(32)->Arg(128)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(forward_pass, reverse_f32, "tracr/reverse.rasp", "reversed", Precision::Float32)
    ->Arg(8)->Arg(32)->Arg(128)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(forward_pass, hist_f32, "paper/hist.rasp", "hist", Precision::Float32)
    ->Arg(8)->Arg(32)->Arg(128)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
