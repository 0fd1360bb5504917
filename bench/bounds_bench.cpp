// bench/bounds_bench.cpp - The cost models on a 200-node program (issue 3: optimal < 1 s).
#include <benchmark/benchmark.h>

#include <random>

#include "analyzers/cost_model_optimal.h"
#include "analyzers/cost_model_rasp.h"
#include "analyzers/cost_model_tracr.h"

namespace {

using namespace rasp;

ir::Node make(ir::NodeKind kind, std::vector<ir::NodeId> inputs, ir::Expr expr = {},
              std::uint32_t instance = 0) {
  ir::Node n;
  n.kind = kind;
  n.inputs = std::move(inputs);
  n.expr = std::move(expr);
  n.instance = instance;
  if (kind == ir::NodeKind::Aggregate) n.value = ir::Value::integer(0);
  return n;
}

/// A reproducible program of `size` nodes: maps, selects (a third of them composite),
/// aggregates and selector widths, operands picked half the time among the newest nodes so
/// that chains several layers deep form, with plenty of slack beside them.
struct Generated {
  ir::Program program;
  ir::NodeId root = 0;
  int attention = 0;
};

Generated generate(std::size_t size, unsigned seed, unsigned attention_percent = 50) {
  Generated g;
  ir::Program& p = g.program;
  std::mt19937 rng(seed);
  std::vector<ir::NodeId> sops{p.add(make(ir::NodeKind::Tokens, {})),
                               p.add(make(ir::NodeKind::Indices, {}))};
  std::vector<ir::NodeId> sels;
  auto pick = [&](const std::vector<ir::NodeId>& v) {
    std::size_t from = (rng() % 2 && v.size() > 4) ? v.size() - 4 : 0;
    return v[from + rng() % (v.size() - from)];
  };
  const ir::BinaryOp ops[] = {ir::BinaryOp::Eq, ir::BinaryOp::Lt, ir::BinaryOp::Le,
                              ir::BinaryOp::Gt, ir::BinaryOp::Ne};
  int salt = 0;
  while (p.size() + 1 < size) {
    // 0-2 map, 3-4 select, 5-8 aggregate, 9 selector width.
    unsigned r = rng() % 100 < attention_percent ? 5 + rng() % 5 : rng() % 5;
    if (r >= 5 && sels.empty()) r = 3;
    if (r <= 2) {
      ir::Expr e = ir::make_binary(ir::BinaryOp::Add, ir::make_var(0),
                                   ir::make_const(ir::Value::integer(++salt)));
      sops.push_back(p.add(make(ir::NodeKind::Map, {pick(sops)}, e)));
    } else if (r <= 4) {
      ir::Expr e = ir::make_binary(ops[rng() % 5], ir::make_var(0), ir::make_var(1));
      ir::NodeId s = p.add(make(ir::NodeKind::Select, {pick(sops), pick(sops)}, e));
      if (rng() % 3 == 0 && !sels.empty()) {
        s = p.add(make(ir::NodeKind::SelectorAnd, {s, pick(sels)}));
      }
      sels.push_back(s);
    } else if (r <= 8) {
      sops.push_back(p.add(
          make(ir::NodeKind::Aggregate, {pick(sels), pick(sops)}, {}, p.new_instance())));
      ++g.attention;
    } else {
      sops.push_back(
          p.add(make(ir::NodeKind::SelectorWidth, {pick(sels)}, {}, p.new_instance())));
      ++g.attention;
    }
  }
  ir::Expr sum = ir::make_var(0);
  for (int i = 1; i < static_cast<int>(sops.size()); ++i) {
    sum = ir::make_binary(ir::BinaryOp::Add, sum, ir::make_var(i));
  }
  g.root = p.add(make(ir::NodeKind::Map, sops, sum));
  return g;
}

void report(benchmark::State& state, const Generated& g, const analyze::Bounds& b) {
  state.counters["nodes"] = static_cast<double>(g.program.size());
  state.counters["attention"] = g.attention;
  state.counters["layers"] = b.layers;
  state.counters["max_heads"] = b.max_heads;
  state.counters["total_heads"] = b.total_heads;
  state.counters["tight"] = b.tight ? 1 : 0;
}

void BM_OptimalBounds200(benchmark::State& state) {
  Generated g = generate(200, static_cast<unsigned>(state.range(0)));
  analyze::Bounds b;
  for (auto _ : state) {
    b = analyze::optimal_bounds(g.program, g.root);
    benchmark::DoNotOptimize(b.layers);
  }
  report(state, g, b);
  state.counters["greedy_max_heads"] = analyze::rasp_bounds(g.program, g.root).max_heads;
}
BENCHMARK(BM_OptimalBounds200)->Arg(1)->Arg(2)->Arg(3)->Unit(benchmark::kMillisecond);

/// Shaped like the corpus: about one node in six an attention node (add.rasp: 100 nodes,
/// 12 attention nodes).
void BM_OptimalBoundsCorpusShaped200(benchmark::State& state) {
  Generated g = generate(200, static_cast<unsigned>(state.range(0)), 20);
  analyze::Bounds b;
  for (auto _ : state) {
    b = analyze::optimal_bounds(g.program, g.root);
    benchmark::DoNotOptimize(b.layers);
  }
  report(state, g, b);
  state.counters["greedy_max_heads"] = analyze::rasp_bounds(g.program, g.root).max_heads;
}
BENCHMARK(BM_OptimalBoundsCorpusShaped200)->DenseRange(1, 5)->Unit(benchmark::kMillisecond);

void BM_OptimalBoundsWithMlps200(benchmark::State& state) {
  Generated g = generate(200, static_cast<unsigned>(state.range(0)));
  analyze::BoundsOptions o;
  o.mlp_sublayers = true;
  analyze::Bounds b;
  for (auto _ : state) {
    b = analyze::optimal_bounds(g.program, g.root, o);
    benchmark::DoNotOptimize(b.layers);
  }
  report(state, g, b);
}
BENCHMARK(BM_OptimalBoundsWithMlps200)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_RaspBounds200(benchmark::State& state) {
  Generated g = generate(200, 1);
  analyze::Bounds b;
  for (auto _ : state) {
    b = analyze::rasp_bounds(g.program, g.root);
    benchmark::DoNotOptimize(b.layers);
  }
  report(state, g, b);
}
BENCHMARK(BM_RaspBounds200)->Unit(benchmark::kMicrosecond);

void BM_TracrBounds200(benchmark::State& state) {
  Generated g = generate(200, 1);
  analyze::Bounds b;
  for (auto _ : state) {
    b = analyze::tracr_bounds(g.program, g.root);
    benchmark::DoNotOptimize(b.layers);
  }
  report(state, g, b);
}
BENCHMARK(BM_TracrBounds200)->Unit(benchmark::kMicrosecond);

void BM_ParetoFrontier200(benchmark::State& state) {
  Generated g = generate(200, 1);
  std::vector<analyze::FrontierPoint> f;
  for (auto _ : state) {
    f = analyze::pareto_frontier(g.program, g.root);
    benchmark::DoNotOptimize(f.size());
  }
  state.counters["points"] = static_cast<double>(f.size());
  state.counters["proven"] = std::all_of(f.begin(), f.end(), [](auto& p) { return p.proven; });
}
BENCHMARK(BM_ParetoFrontier200)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
