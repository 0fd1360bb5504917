// analyzers/size_estimate.cpp - tracr's width rules applied to exact value sets.
#include "analyzers/size_estimate.h"

#include <map>

namespace rasp::analyze {
namespace {

int set_size(const compile::ValueSets& sets, ir::NodeId id) {
  return sets.has(id) ? static_cast<int>(sets.of(id).size()) : 1;
}

bool numerical(const ir::Node& n) { return n.encoding == ir::Encoding::Numerical; }

}  // namespace

SizeEstimate estimate_sizes(const ir::Program& program, ir::NodeId root,
                            const compile::ValueSets& sets,
                            const compile::ValueSetOptions& options, const Bounds& tracr) {
  SizeEstimate e;
  // Tokens (vocabulary + BOS), indices (one per position) and the constant `one`.
  e.residual_width = static_cast<int>(options.vocab.size()) + 1 + options.max_len + 1;
  for (ir::NodeId id : program.ancestors(root)) {
    const ir::Node& n = program.node(id);
    switch (n.kind) {
      case ir::NodeKind::Map: {
        int dims = numerical(n) ? 1 : set_size(sets, id);
        e.residual.emplace_back(id, dims);
        int hidden = 1;
        if (n.inputs.size() == 1) {
          int in = set_size(sets, n.inputs[0]);
          hidden = numerical(program.node(n.inputs[0])) ? 2 * in - 1 : in;
        } else {
          for (ir::NodeId i : n.inputs) hidden *= set_size(sets, i);
        }
        e.mlp_hidden.emplace_back(id, hidden);
        break;
      }
      case ir::NodeKind::Aggregate:
        e.residual.emplace_back(id, numerical(n) ? 1 : set_size(sets, id));
        break;
      case ir::NodeKind::SelectorWidth:
        e.residual.emplace_back(id, (numerical(n) ? 1 : set_size(sets, id)) + 1);
        e.mlp_hidden.emplace_back(id, 2 * options.max_len + 2);
        break;
      default:
        break;
    }
  }
  for (const auto& [id, dims] : e.residual) e.residual_width += dims;
  std::map<ir::NodeId, int> layer_of(tracr.mlp_placement.begin(), tracr.mlp_placement.end());
  e.mlp_hidden_per_layer.assign(tracr.layers, 0);
  for (const auto& [id, hidden] : e.mlp_hidden) {
    auto it = layer_of.find(id);
    if (it != layer_of.end() && it->second >= 1) e.mlp_hidden_per_layer[it->second - 1] += hidden;
  }
  return e;
}

nlohmann::json sizes_to_json(const ir::Program& program, const SizeEstimate& e) {
  nlohmann::json j;
  j["residual_width"] = e.residual_width;
  j["mlp_hidden_per_layer"] = e.mlp_hidden_per_layer;
  j["residual"] = nlohmann::json::array();
  for (const auto& [id, dims] : e.residual) {
    j["residual"].push_back({{"node", id}, {"name", node_label(program, id)}, {"dims", dims}});
  }
  j["mlp_hidden"] = nlohmann::json::array();
  for (const auto& [id, hidden] : e.mlp_hidden) {
    j["mlp_hidden"].push_back(
        {{"node", id}, {"name", node_label(program, id)}, {"hidden", hidden}});
  }
  return j;
}

nlohmann::json value_sets_to_json(const ir::Program& program, ir::NodeId root,
                                  const compile::ValueSets& sets) {
  nlohmann::json j = nlohmann::json::array();
  for (ir::NodeId id : program.ancestors(root)) {
    if (!sets.has(id)) continue;
    nlohmann::json values = nlohmann::json::array();
    for (const ir::Value& v : sets.of(id)) values.push_back(v.repr());
    const SourceRange& r = program.node(id).range;
    nlohmann::json e = {{"node", id},
                        {"name", node_label(program, id)},
                        {"line", r.known() ? nlohmann::json(r.line) : nlohmann::json(nullptr)},
                        {"size", sets.of(id).size()},
                        {"values", std::move(values)}};
    if (r.in_library()) e["library"] = true;  // its line is the library's
    j.push_back(std::move(e));
  }
  return j;
}

}  // namespace rasp::analyze
