// analyzers/cost_model_tracr.cpp - As-early-as-possible allocation to alternating sublayers.
#include "analyzers/cost_model_tracr.h"

#include <algorithm>

namespace rasp::analyze {
namespace {

/// The smallest sublayer of `parity` (0 attention, 1 MLP) strictly after `after`.
int next_sublayer(int after, int parity) {
  int s = after + 1;
  if (((s % 2) + 2) % 2 != parity) ++s;
  return s;
}

}  // namespace

Bounds tracr_bounds(const ir::Program& program, ir::NodeId root, const BoundsOptions& options) {
  (void)options;
  Bounds b;
  b.model = CostModel::Tracr;
  std::vector<ir::NodeId> order = program.ancestors(root);
  // ready[n]: the last sublayer writing n (-1: the embedding); from[n]: the operand that
  // decided it, for the critical path.
  std::vector<int> ready(program.size(), -1);
  std::vector<int> sublayer(program.size(), -1);
  std::vector<ir::NodeId> from(program.size(), 0);
  std::vector<char> has_from(program.size(), 0);
  int last = -1;
  for (ir::NodeId id : order) {
    const ir::Node& n = program.node(id);
    int after = -1;
    for (ir::NodeId i : n.inputs) {
      if (ready[i] > after) {
        after = ready[i];
        from[id] = i;
        has_from[id] = 1;
      }
    }
    switch (n.kind) {
      case ir::NodeKind::Tokens:
      case ir::NodeKind::Indices:
      case ir::NodeKind::Constant:
        ready[id] = -1;
        break;
      case ir::NodeKind::Select:
      case ir::NodeKind::SelectorAnd:
      case ir::NodeKind::SelectorOr:
      case ir::NodeKind::SelectorNot:
        ready[id] = after;
        break;
      case ir::NodeKind::Map:
        if (fuses_into_operand(program, id)) {
          // Map(f, Map(g, x)) is Map(f . g, x): the MLP that computes g computes it too.
          ir::NodeId inner = from[id];
          sublayer[id] = sublayer[inner];
          ready[id] = ready[inner];
          from[id] = from[inner];
          has_from[id] = has_from[inner];
          break;
        }
        sublayer[id] = next_sublayer(after, 1);
        ready[id] = sublayer[id];
        break;
      case ir::NodeKind::Aggregate:
        sublayer[id] = next_sublayer(after, 0);
        ready[id] = sublayer[id];
        break;
      case ir::NodeKind::SelectorWidth:
        sublayer[id] = next_sublayer(after, 0);
        ready[id] = sublayer[id] + 1;
        break;
    }
    last = std::max(last, ready[id]);
  }
  b.layers = last < 0 ? 0 : last / 2 + 1;
  // A Map whose every user composes it into itself does not exist in tracr's graph.
  std::vector<char> absorbed = absorbed_maps(program, root);
  b.heads_per_layer.assign(b.layers, 0);
  b.mlps_per_layer.assign(b.layers, 0);
  for (ir::NodeId id : order) {
    const ir::Node& n = program.node(id);
    if (program.is_selector(id)) continue;
    ir::Placement p{0, -1};
    if (ir::is_attention_kind(n.kind)) {
      p.layer = sublayer[id] / 2 + 1;
      p.head = b.heads_per_layer[p.layer - 1]++;
    }
    if (n.kind == ir::NodeKind::Map || n.kind == ir::NodeKind::SelectorWidth) {
      int mlp_layer = ready[id] / 2 + 1;
      if (n.kind == ir::NodeKind::Map) p.layer = mlp_layer;
      if (absorbed[id]) {
        b.schedule.placement[id] = p;
        continue;
      }
      ++b.mlps_per_layer[mlp_layer - 1];
      b.mlp_placement.emplace_back(id, mlp_layer);
    }
    b.schedule.placement[id] = p;
  }
  b.schedule.layers = b.layers;
  b.schedule.heads_per_layer = b.heads_per_layer;
  for (int h : b.heads_per_layer) {
    b.max_heads = std::max(b.max_heads, h);
    b.total_heads += h;
  }
  // Witness: walk back from the node written last through the operands that decided it.
  ir::NodeId cur = root;
  for (ir::NodeId id : order) {
    if (ready[id] > ready[cur]) cur = id;
  }
  while (true) {
    if (sublayer[cur] >= 0) b.critical_path.push_back(cur);
    if (!has_from[cur] || ready[from[cur]] < 0) break;
    cur = from[cur];
  }
  std::reverse(b.critical_path.begin(), b.critical_path.end());
  // Each step of the chain needs a later sublayer of its kind than the step before, so no
  // allocation fits the chain, let alone the program, in fewer layers.
  int s = -1;
  for (ir::NodeId id : b.critical_path) {
    const ir::Node& n = program.node(id);
    s = next_sublayer(s, n.kind == ir::NodeKind::Map ? 1 : 0);
    if (n.kind == ir::NodeKind::SelectorWidth) ++s;
  }
  b.lower_bound = s < 0 ? 0 : s / 2 + 1;
  b.tight = b.layers == b.lower_bound;
  return b;
}

}  // namespace rasp::analyze
