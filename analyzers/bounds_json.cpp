// analyzers/bounds_json.cpp - JSON for bounds (issue 3's field names).
#include "analyzers/bounds_json.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace rasp::analyze {
namespace {

nlohmann::json line_of(const ir::Program& program, ir::NodeId id) {
  const SourceRange& r = program.node(id).range;
  return r.known() ? nlohmann::json(r.line) : nlohmann::json(nullptr);
}

// A node of the library carries the library's line: say so, or it reads as the program's.
void mark_library(nlohmann::json& entry, const ir::Program& program, ir::NodeId id) {
  if (program.node(id).range.in_library()) entry["library"] = true;
}

}  // namespace

nlohmann::json bounds_to_json(const ir::Program& program, const Bounds& b) {
  nlohmann::json j;
  j["model"] = std::string(cost_model_name(b.model));
  j["layers"] = b.layers;
  j["max_heads"] = b.max_heads;
  j["heads_per_layer"] = b.heads_per_layer;
  j["total_heads"] = b.total_heads;
  j["lower_bound"] = b.lower_bound;
  j["tight"] = b.tight;
  j["critical_path"] = nlohmann::json::array();
  for (ir::NodeId id : b.critical_path) {
    nlohmann::json e = {{"node", id}, {"name", node_label(program, id)}, {"line", line_of(program, id)}};
    mark_library(e, program, id);
    j["critical_path"].push_back(std::move(e));
  }
  std::map<ir::NodeId, int> mlp_layer(b.mlp_placement.begin(), b.mlp_placement.end());
  std::vector<std::tuple<int, int, ir::NodeId>> order;
  for (const auto& [id, p] : b.schedule.placement) order.emplace_back(p.layer, p.head, id);
  std::sort(order.begin(), order.end());
  j["schedule"] = nlohmann::json::array();
  for (const auto& [layer, head, id] : order) {
    nlohmann::json e = {{"node", id},
                        {"name", node_label(program, id)},
                        {"kind", std::string(ir::node_kind_name(program.node(id).kind))},
                        {"line", line_of(program, id)},
                        {"layer", layer},
                        {"head", head}};
    if (auto it = mlp_layer.find(id); it != mlp_layer.end()) e["mlp_layer"] = it->second;
    mark_library(e, program, id);
    j["schedule"].push_back(std::move(e));
  }
  if (!b.mlps_per_layer.empty() || b.model == CostModel::Tracr) {
    j["mlps_per_layer"] = b.mlps_per_layer;
  }
  return j;
}

nlohmann::json frontier_to_json(const std::vector<FrontierPoint>& frontier) {
  nlohmann::json j = nlohmann::json::array();
  for (const FrontierPoint& p : frontier) {
    j.push_back({{"layers", p.layers},
                 {"max_heads", p.max_heads},
                 {"total_heads", p.total_heads},
                 {"proven", p.proven}});
  }
  return j;
}

}  // namespace rasp::analyze
