// analyzers/bounds_json.h - Bounds, frontiers and size estimates as the JSON `raspkit bounds` prints.
#pragma once

#include <nlohmann/json.hpp>

#include "analyzers/bounds.h"

namespace rasp::analyze {

/// {"model", "layers", "max_heads", "heads_per_layer", "total_heads", "lower_bound",
/// "tight", "critical_path": [{"node", "name", "line"}], "schedule": [{"node", "name",
/// "kind", "line", "layer", "head"}]}; the tracr model (and the optimal model counting
/// MLPs) adds "mlps_per_layer" and each Map/selector_width entry an "mlp_layer". `line` is
/// null when the node has no source location. Schedule entries are sorted by layer, head,
/// node.
[[nodiscard]] nlohmann::json bounds_to_json(const ir::Program& program, const Bounds& bounds);

/// [{"layers", "max_heads", "total_heads", "proven"}...]
[[nodiscard]] nlohmann::json frontier_to_json(const std::vector<FrontierPoint>& frontier);

}  // namespace rasp::analyze
