// analyzers/cost_model_rasp.cpp - Depths, layers and heads under the reference's rules.
#include "analyzers/cost_model_rasp.h"

#include <algorithm>
#include <map>
#include <utility>

namespace rasp::analyze {
namespace {

/// Depths of every ancestor of `root` (entries of other nodes stay 0).
std::vector<int> depths(const ir::Program& program, ir::NodeId root) {
  std::vector<int> d(program.size(), 0);
  for (ir::NodeId id : program.ancestors(root)) {
    const ir::Node& n = program.node(id);
    auto in = [&](std::size_t k) { return d[n.inputs[k]]; };
    switch (n.kind) {
      case ir::NodeKind::Tokens:
      case ir::NodeKind::Indices:
      case ir::NodeKind::Constant:
        d[id] = 0;
        break;
      case ir::NodeKind::Map:
      case ir::NodeKind::SelectorAnd:
      case ir::NodeKind::SelectorOr:
      case ir::NodeKind::SelectorNot:
        d[id] = 0;
        for (ir::NodeId i : n.inputs) d[id] = std::max(d[id], d[i]);
        break;
      case ir::NodeKind::Select:
        d[id] = std::max(in(0), in(1)) + 1;
        break;
      case ir::NodeKind::Aggregate:
        d[id] = std::max(in(1) + 1, in(0));
        break;
      case ir::NodeKind::SelectorWidth:
        d[id] = std::max(in(0), 1);
        break;
    }
  }
  return d;
}

}  // namespace

int rasp_depth(const ir::Program& program, ir::NodeId node) { return depths(program, node)[node]; }

Bounds rasp_bounds(const ir::Program& program, ir::NodeId root, const BoundsOptions& options) {
  Bounds b;
  b.model = CostModel::Rasp;
  std::vector<int> d = depths(program, root);
  std::vector<ir::NodeId> order = program.ancestors(root);
  for (ir::NodeId id : order) {
    if (!program.is_selector(id)) b.layers = std::max(b.layers, d[id]);
  }
  b.heads_per_layer.assign(b.layers, 0);
  // Head identity: (0, selector object) for aggregates, (1, node) for a selector_width.
  std::vector<std::map<std::pair<int, std::uint64_t>, int>> heads(b.layers + 1);
  for (ir::NodeId id : order) {
    const ir::Node& n = program.node(id);
    if (program.is_selector(id)) continue;
    ir::Placement p{d[id], -1};
    if (ir::is_attention_kind(n.kind)) {
      std::pair<int, std::uint64_t> key =
          n.kind == ir::NodeKind::SelectorWidth
              ? std::pair<int, std::uint64_t>{1, id}
          : n.instance != 0 ? std::pair<int, std::uint64_t>{0, n.instance}
                            : std::pair<int, std::uint64_t>{0, (1ULL << 32) + n.inputs[0]};
      auto& layer = heads[p.layer];
      auto it = layer.find(key);
      if (it == layer.end()) {
        it = layer.emplace(key, b.heads_per_layer[p.layer - 1]).first;
        b.heads_per_layer[p.layer - 1] += attention_cost(program, id, options.bos);
      }
      p.head = it->second;
    }
    b.schedule.placement[id] = p;
  }
  b.schedule.layers = b.layers;
  b.schedule.heads_per_layer = b.heads_per_layer;
  for (int h : b.heads_per_layer) {
    b.max_heads = std::max(b.max_heads, h);
    b.total_heads += h;
  }
  b.critical_path = attention_critical_path(program, root);
  b.lower_bound = static_cast<int>(b.critical_path.size());
  b.tight = b.layers == b.lower_bound;
  return b;
}

}  // namespace rasp::analyze
