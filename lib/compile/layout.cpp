// lib/compile/layout.cpp - The residual stream: one named direction per (s-op, value) or numerical s-op.
#include <fmt/format.h>

#include <algorithm>

#include "lib/compile/detail/plan.h"

namespace rasp::compile::detail {

using ir::NodeId;
using ir::NodeKind;
using ir::Value;

namespace {

std::size_t index_of(const ValueSet& set, const Value& v) {
  for (std::size_t i = 0; i < set.size(); ++i) {
    if (set[i].identical(v)) return i;
  }
  return set.size();
}

bool categorical_aggregate(const Plan& plan, NodeId id) {
  return plan.program->node(id).kind == NodeKind::Aggregate && !plan.sops[id].numeric_mean;
}

}  // namespace

Layout make_layout(const Plan& plan) {
  Layout layout;
  layout.dims.push_back(Direction{"", "", "bos"});
  layout.dims.push_back(Direction{"", "", "one"});
  const ir::Program& program = *plan.program;
  auto add = [&](Direction d) {
    layout.dims.push_back(std::move(d));
    return static_cast<int>(layout.dims.size()) - 1;
  };
  for (NodeId id = 0; id < program.size(); ++id) {
    const SopPlan& s = plan.sops[id];
    if (!s.needed || program.is_selector(id)) continue;
    std::string name = node_label(program, id);
    const ir::Node& n = program.node(id);
    if (n.kind == NodeKind::SelectorWidth) {
      layout.scratch_dim[id] = add(Direction{name, "bos_weight", "scratch", static_cast<int>(id)});
    }
    if (!s.materialized) continue;
    if (s.cat) {
      // A categorical aggregate copies the values' one-hot; its default, when not among
      // the values, is the zero vector.
      const ValueSet& set = categorical_aggregate(plan, id) ? plan.sets.of(n.inputs[1])
                                                            : plan.sets.of(id);
      std::vector<int> dims;
      for (const Value& v : set) dims.push_back(add(Direction{name, v.repr(), "categorical", static_cast<int>(id)}));
      layout.cat_dims[id] = std::move(dims);
    }
    if (s.num) layout.num_dim[id] = add(Direction{name, "", "numerical", static_cast<int>(id)});
    if (s.numeric_mean && !(n.value == Value::integer(0))) layout.scratch_dim[id] = add(Direction{name, "bos_weight", "scratch", static_cast<int>(id)});
  }
  return layout;
}

Readout indicator(const Plan& plan, const Layout& layout, NodeId node, std::size_t v) {
  const ir::Node& n = plan.program->node(node);
  if (n.kind == NodeKind::Constant) return {{layout.one, 1.0}};
  const std::vector<int>& dims = layout.cat_dims.at(node);
  if (!categorical_aggregate(plan, node)) return {{dims[v], 1.0}};
  const Value& value = plan.sets.of(node)[v];
  const ValueSet& copied = plan.sets.of(n.inputs[1]);
  Readout r;
  std::size_t j = index_of(copied, value);
  if (j < copied.size()) r.emplace_back(dims[j], 1.0);
  if (value.identical(n.value)) {
    // Nothing selected: attention rests on BOS, which carries no value directions.
    r.emplace_back(layout.one, 1.0);
    for (int d : dims) r.emplace_back(d, -1.0);
  }
  return r;
}

Readout numeric_readout(const Plan& plan, const Layout& layout, NodeId node) {
  const ir::Node& n = plan.program->node(node);
  const SopPlan& s = plan.sops[node];
  if (n.kind == NodeKind::Constant) return {{layout.one, n.value.to_double()}};
  if (s.linear) {
    Readout r;
    if (s.constant != 0.0) r.emplace_back(layout.one, s.constant);
    for (const auto& [term, a] : s.terms) {
      for (auto [d, c] : numeric_readout(plan, layout, term)) r.emplace_back(d, a * c);
    }
    return r;
  }
  if (s.num) {
    Readout r{{layout.num_dim.at(node), 1.0}};
    if (auto it = layout.scratch_dim.find(node);
        it != layout.scratch_dim.end() && n.kind == NodeKind::Aggregate) {
      // The head also writes the weight left on BOS: the default where nothing is selected.
      double d = n.value.to_double();
      r.emplace_back(it->second, d);
      r.emplace_back(layout.bos, -d);
    }
    return r;
  }
  Readout r;
  const ValueSet& set = plan.sets.of(node);
  for (std::size_t v = 0; v < set.size(); ++v) {
    if (set[v].is_string()) continue;
    for (auto [d, c] : indicator(plan, layout, node, v)) r.emplace_back(d, c * set[v].to_double());
  }
  return r;
}

}  // namespace rasp::compile::detail
