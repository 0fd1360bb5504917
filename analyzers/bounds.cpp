// analyzers/bounds.cpp - Helpers shared by the cost models.
#include "analyzers/bounds.h"

#include <algorithm>
#include <cassert>

namespace rasp::analyze {

std::string_view cost_model_name(CostModel model) {
  switch (model) {
    case CostModel::Rasp:
      return "rasp";
    case CostModel::Tracr:
      return "tracr";
    case CostModel::Optimal:
      return "optimal";
  }
  return "?";
}

std::optional<CostModel> parse_cost_model(std::string_view name) {
  for (CostModel m : {CostModel::Rasp, CostModel::Tracr, CostModel::Optimal}) {
    if (cost_model_name(m) == name) return m;
  }
  return std::nullopt;
}

int attention_cost(const ir::Program& program, ir::NodeId node, bool bos) {
  const ir::Node& n = program.node(node);
  assert(ir::is_attention_kind(n.kind) && "only attention nodes cost heads");
  if (n.kind == ir::NodeKind::SelectorWidth) return bos ? 1 : 2;
  return 1;
}

namespace {

/// The non-constant operands of a node.
std::vector<ir::NodeId> sop_operands(const ir::Program& program, ir::NodeId id) {
  std::vector<ir::NodeId> out;
  for (ir::NodeId i : program.node(id).inputs) {
    if (program.node(i).kind != ir::NodeKind::Constant) out.push_back(i);
  }
  return out;
}

}  // namespace

bool fuses_into_operand(const ir::Program& program, ir::NodeId map) {
  if (program.node(map).kind != ir::NodeKind::Map) return false;
  std::vector<ir::NodeId> ops = sop_operands(program, map);
  if (ops.size() != 1 || program.node(ops[0]).kind != ir::NodeKind::Map) return false;
  return sop_operands(program, ops[0]).size() == 1;
}

std::vector<char> absorbed_maps(const ir::Program& program, ir::NodeId root) {
  std::vector<char> in_program(program.size(), 0), out(program.size(), 0);
  std::vector<ir::NodeId> order = program.ancestors(root);
  for (ir::NodeId id : order) in_program[id] = 1;
  for (ir::NodeId id : order) {
    if (id == root || program.node(id).kind != ir::NodeKind::Map) continue;
    bool any = false, all = true;
    for (ir::NodeId u : program.users(id)) {
      if (!in_program[u]) continue;
      any = true;
      all = all && fuses_into_operand(program, u);
    }
    out[id] = any && all;
  }
  return out;
}

std::string node_label(const ir::Program& program, ir::NodeId node) {
  const ir::Node& n = program.node(node);
  if (!n.name.empty()) return n.name;
  return std::string(ir::node_kind_name(n.kind)) + "#" + std::to_string(node);
}

std::vector<ir::NodeId> selector_leaves(const ir::Program& program, ir::NodeId selector) {
  std::vector<ir::NodeId> out;
  std::vector<ir::NodeId> stack{selector};
  while (!stack.empty()) {
    ir::NodeId s = stack.back();
    stack.pop_back();
    const ir::Node& n = program.node(s);
    if (n.kind == ir::NodeKind::Select) {
      if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    } else {
      assert(ir::is_selector_kind(n.kind) && "selector operands are selectors");
      for (ir::NodeId i : n.inputs) stack.push_back(i);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<ir::NodeId> attention_operands(const ir::Program& program, ir::NodeId node) {
  const ir::Node& n = program.node(node);
  assert(ir::is_attention_kind(n.kind) && "only attention nodes read selectors");
  std::vector<ir::NodeId> out;
  for (ir::NodeId leaf : selector_leaves(program, n.inputs[0])) {
    for (ir::NodeId i : program.node(leaf).inputs) out.push_back(i);
  }
  if (n.kind == ir::NodeKind::Aggregate) out.push_back(n.inputs[1]);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<ir::NodeId> attention_critical_path(const ir::Program& program, ir::NodeId root) {
  // chain[n]: attention nodes on the longest chain ending at n; via[n]: the attention node
  // (or the node leading to one) that achieved it.
  std::vector<ir::NodeId> order = program.ancestors(root);
  std::vector<int> chain(program.size(), 0);
  std::vector<ir::NodeId> best_from(program.size(), root);
  std::vector<char> has_from(program.size(), 0);
  for (ir::NodeId id : order) {
    const ir::Node& n = program.node(id);
    int best = 0;
    for (ir::NodeId i : n.inputs) {
      if (chain[i] > best) {
        best = chain[i];
        best_from[id] = i;
        has_from[id] = 1;
      }
    }
    chain[id] = best + (ir::is_attention_kind(n.kind) ? 1 : 0);
  }
  std::vector<ir::NodeId> path;
  ir::NodeId cur = root;
  // Pick the deepest node first: a root that is a selector still has a meaningful chain.
  for (ir::NodeId id : order) {
    if (chain[id] > chain[cur]) cur = id;
  }
  while (true) {
    if (ir::is_attention_kind(program.node(cur).kind)) path.push_back(cur);
    if (!has_from[cur]) break;
    cur = best_from[cur];
  }
  std::reverse(path.begin(), path.end());
  return path;
}

}  // namespace rasp::analyze
