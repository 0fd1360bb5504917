// tests/analyzers/cost_models_prop_test.cpp - Properties of the cost models on random programs.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "analyzers/cost_model_optimal.h"
#include "analyzers/cost_model_rasp.h"
#include "analyzers/cost_model_tracr.h"
#include "tests/analyzers/program_builder.h"

namespace rasp::analyze {
namespace {

using test_support::ProgramBuilder;

/// The s-ops an attention node reads, found independently of the library.
std::set<ir::NodeId> operands_of(const ir::Program& p, ir::NodeId node) {
  std::set<ir::NodeId> out;
  std::function<void(ir::NodeId)> walk = [&](ir::NodeId s) {
    const ir::Node& n = p.node(s);
    if (n.kind == ir::NodeKind::Select) {
      out.insert(n.inputs.begin(), n.inputs.end());
    } else {
      for (ir::NodeId i : n.inputs) walk(i);
    }
  };
  walk(p.node(node).inputs[0]);
  if (p.node(node).kind == ir::NodeKind::Aggregate) out.insert(p.node(node).inputs[1]);
  return out;
}

/// tracr composes a map of one s-op applied to a map of one s-op into one MLP.
bool composes(const ir::Program& p, ir::NodeId id) {
  auto operands = [&](ir::NodeId n) {
    std::vector<ir::NodeId> out;
    for (ir::NodeId i : p.node(n).inputs) {
      if (p.node(i).kind != ir::NodeKind::Constant) out.push_back(i);
    }
    return out;
  };
  auto ops = operands(id);
  return ops.size() == 1 && p.node(ops[0]).kind == ir::NodeKind::Map &&
         operands(ops[0]).size() == 1;
}

/// Which attention nodes may share a head under each model.
using ShareKey = std::function<std::pair<int, std::uint64_t>(ir::NodeId)>;

/// Checks that `b` is a valid schedule of `root`: every s-op placed, every operand ready
/// before its reader, heads indices consistent with heads_per_layer and sharing only where
/// the model allows. `mlp`: sublayer discipline (attention 2(l-1), MLP 2(l-1)+1).
void check_schedule(const ir::Program& p, ir::NodeId root, const Bounds& b, bool mlp,
                    bool bos, const ShareKey& share) {
  RC_ASSERT(static_cast<int>(b.heads_per_layer.size()) == b.layers);
  RC_ASSERT(b.schedule.layers == b.layers);
  RC_ASSERT(b.schedule.heads_per_layer == b.heads_per_layer);
  std::map<ir::NodeId, int> ready;  // when the value exists (layer, or sublayer with mlp)
  std::vector<std::map<int, std::vector<ir::NodeId>>> occupants(b.layers + 1);
  for (ir::NodeId id : p.ancestors(root)) {
    const ir::Node& n = p.node(id);
    if (p.is_selector(id)) continue;
    RC_ASSERT(b.schedule.placement.count(id) == 1u);
    ir::Placement pl = b.schedule.placement.at(id);
    RC_ASSERT(pl.layer >= 0);
    RC_ASSERT(pl.layer <= b.layers);
    switch (n.kind) {
      case ir::NodeKind::Tokens:
      case ir::NodeKind::Indices:
      case ir::NodeKind::Constant:
        ready[id] = mlp ? -1 : 0;
        break;
      case ir::NodeKind::Map: {
        int at = mlp ? 2 * (pl.layer - 1) + 1 : pl.layer;
        for (ir::NodeId i : n.inputs) {
          if (mlp && composes(p, id)) {
            RC_ASSERT(ready.at(i) <= at);  // computed as one function with its operand
          } else if (mlp) {
            RC_ASSERT(ready.at(i) < at);
          } else {
            RC_ASSERT(ready.at(i) <= at);
          }
        }
        ready[id] = at;
        RC_ASSERT(pl.head == -1);
        break;
      }
      default: {
        RC_ASSERT(pl.layer >= 1);
        int at = mlp ? 2 * (pl.layer - 1) : pl.layer;
        for (ir::NodeId o : operands_of(p, id)) RC_ASSERT(ready.at(o) < at);
        ready[id] = at + (mlp && n.kind == ir::NodeKind::SelectorWidth ? 1 : 0);
        int cost = n.kind == ir::NodeKind::SelectorWidth && !bos ? 2 : 1;
        if (b.model == CostModel::Tracr) cost = 1;
        RC_ASSERT(pl.head >= 0);
        for (int h = pl.head; h < pl.head + cost; ++h) occupants[pl.layer][h].push_back(id);
      }
    }
  }
  int max_heads = 0, total = 0;
  for (int l = 1; l <= b.layers; ++l) {
    int used = static_cast<int>(occupants[l].size());
    RC_ASSERT(used == b.heads_per_layer[l - 1]);
    for (const auto& [h, nodes] : occupants[l]) {
      RC_ASSERT(h < used);
      for (ir::NodeId other : nodes) {
        RC_ASSERT(share(other) == share(nodes.front()));
        RC_ASSERT(b.schedule.placement.at(other).head == b.schedule.placement.at(nodes.front()).head);
      }
    }
    max_heads = std::max(max_heads, used);
    total += used;
  }
  RC_ASSERT(max_heads == b.max_heads);
  RC_ASSERT(total == b.total_heads);
  RC_ASSERT(static_cast<int>(b.critical_path.size()) >= b.lower_bound ||
            b.model == CostModel::Tracr);
}

ShareKey rasp_share(const ir::Program& p) {
  return [&p](ir::NodeId id) -> std::pair<int, std::uint64_t> {
    const ir::Node& n = p.node(id);
    if (n.kind == ir::NodeKind::SelectorWidth) return {1, id};
    if (n.instance != 0) return {0, n.instance};
    return {2, n.inputs[0]};
  };
}
ShareKey optimal_share(const ir::Program& p) {
  return [&p](ir::NodeId id) -> std::pair<int, std::uint64_t> {
    const ir::Node& n = p.node(id);
    return {n.kind == ir::NodeKind::SelectorWidth ? 1 : 0, n.inputs[0]};
  };
}
ShareKey no_share() {
  return [](ir::NodeId id) -> std::pair<int, std::uint64_t> { return {0, id}; };
}

/// The critical path is a chain: each node depends on the one before it.
void check_chain(const ir::Program& p, const std::vector<ir::NodeId>& path) {
  for (std::size_t i = 1; i < path.size(); ++i) {
    std::vector<ir::NodeId> anc = p.ancestors(path[i]);
    RC_ASSERT(std::find(anc.begin(), anc.end(), path[i - 1]) != anc.end());
    RC_ASSERT(path[i - 1] != path[i]);
  }
}

RC_GTEST_PROP(CostModelProp, LowerBoundOptimalGreedyInOrder, ()) {
  ProgramBuilder b;
  ir::NodeId root = test_support::build_random(b, *rc::gen::inRange(1, 30), 12);
  bool bos = *rc::gen::arbitrary<bool>();
  Bounds greedy = rasp_bounds(b.p, root, test_support::options(bos));
  Bounds opt = optimal_bounds(b.p, root, test_support::options(bos));
  RC_ASSERT(opt.lower_bound <= opt.layers);
  RC_ASSERT(opt.layers <= greedy.layers);
  RC_ASSERT(opt.tight);
  RC_CLASSIFY(opt.max_heads < greedy.max_heads, "optimal narrower than greedy");
  RC_TAG(opt.layers);
  // The greedy schedule is one the optimal model could pick, with at least as much sharing.
  RC_ASSERT(opt.max_heads <= greedy.max_heads);
  RC_ASSERT(static_cast<int>(opt.critical_path.size()) == opt.lower_bound);
  check_chain(b.p, opt.critical_path);
  check_chain(b.p, greedy.critical_path);
}

RC_GTEST_PROP(CostModelProp, SchedulesRespectDependenciesAndHeadCounts, ()) {
  ProgramBuilder b;
  ir::NodeId root = test_support::build_random(b, *rc::gen::inRange(1, 30), 12);
  bool bos = *rc::gen::arbitrary<bool>();
  check_schedule(b.p, root, rasp_bounds(b.p, root, test_support::options(bos)), false, bos, rasp_share(b.p));
  check_schedule(b.p, root, optimal_bounds(b.p, root, test_support::options(bos)), false, bos,
                 optimal_share(b.p));
  Bounds t = tracr_bounds(b.p, root);
  check_schedule(b.p, root, t, true, true, no_share());
  RC_ASSERT(t.tight);
  check_chain(b.p, t.critical_path);
  Bounds om = optimal_bounds(b.p, root, test_support::options(bos, true));
  check_schedule(b.p, root, om, true, bos, optimal_share(b.p));
  RC_ASSERT(om.layers == t.layers);  // both are the longest sublayer chain
  RC_ASSERT(om.tight);
}

RC_GTEST_PROP(CostModelProp, FrontierIsMonotoneAndStartsAtTheOptimum, ()) {
  ProgramBuilder b;
  ir::NodeId root = test_support::build_random(b, *rc::gen::inRange(1, 20), 6);
  Bounds opt = optimal_bounds(b.p, root);
  std::vector<FrontierPoint> f = pareto_frontier(b.p, root);
  RC_ASSERT(!f.empty());
  RC_ASSERT(f.front().layers == opt.layers);
  RC_ASSERT(f.front().max_heads == opt.max_heads);
  for (std::size_t i = 1; i < f.size(); ++i) {
    RC_ASSERT(f[i].layers == f[i - 1].layers + 1);
    RC_ASSERT(f[i].max_heads <= f[i - 1].max_heads);
  }
}

/// Every assignment of layers to attention nodes, by brute force: the least (max heads,
/// total heads) a valid schedule with `layers` layers reaches.
std::pair<int, int> brute_force(const ir::Program& p, ir::NodeId root, int layers, bool bos) {
  std::vector<ir::NodeId> att;
  for (ir::NodeId id : p.ancestors(root)) {
    if (ir::is_attention_kind(p.node(id).kind)) att.push_back(id);
  }
  std::pair<int, int> best{1 << 30, 1 << 30};
  std::vector<int> layer(att.size(), 1);
  while (true) {
    std::map<ir::NodeId, int> at;
    for (std::size_t i = 0; i < att.size(); ++i) at[att[i]] = layer[i];
    // ready: the layer after which an s-op exists (maps run with their latest operand).
    std::map<ir::NodeId, int> ready;
    bool ok = true;
    for (ir::NodeId id : p.ancestors(root)) {
      const ir::Node& n = p.node(id);
      if (p.is_selector(id)) continue;
      if (ir::is_attention_kind(n.kind)) {
        for (ir::NodeId o : operands_of(p, id)) ok = ok && ready.at(o) < at[id];
        ready[id] = at[id];
      } else {
        int r = 0;
        for (ir::NodeId i : n.inputs) r = std::max(r, ready.at(i));
        ready[id] = r;
      }
    }
    if (ok) {
      std::vector<std::set<std::pair<int, ir::NodeId>>> keys(layers + 1);
      std::vector<int> heads(layers + 1, 0);
      for (ir::NodeId a : att) {
        const ir::Node& n = p.node(a);
        bool sw = n.kind == ir::NodeKind::SelectorWidth;
        if (keys[at[a]].insert({sw ? 1 : 0, n.inputs[0]}).second) heads[at[a]] += sw && !bos ? 2 : 1;
      }
      int mx = *std::max_element(heads.begin(), heads.end());
      int total = 0;
      for (int h : heads) total += h;
      best = std::min(best, std::pair{mx, total});
    }
    std::size_t i = 0;
    while (i < layer.size() && layer[i] == layers) layer[i++] = 1;
    if (i == layer.size()) break;
    ++layer[i];
  }
  return best;
}

RC_GTEST_PROP(CostModelProp, OptimalHeadsMatchBruteForce, ()) {
  ProgramBuilder b;
  ir::NodeId root = test_support::build_random(b, *rc::gen::inRange(1, 16), 6);
  bool bos = *rc::gen::arbitrary<bool>();
  Bounds opt = optimal_bounds(b.p, root, test_support::options(bos));
  RC_ASSERT(opt.layers >= 1);
  int extra = *rc::gen::inRange(0, 2);
  auto wider = optimal_bounds_with_layers(b.p, root, opt.layers + extra, test_support::options(bos));
  RC_ASSERT(wider.has_value());
  auto [mx, total] = brute_force(b.p, root, opt.layers + extra, bos);
  RC_ASSERT(wider->max_heads == mx);
  RC_ASSERT(wider->total_heads == total);
}

}  // namespace
}  // namespace rasp::analyze
