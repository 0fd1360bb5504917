// analyzers/size_estimate.h - Residual and MLP widths a tracr-style compilation would need.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "analyzers/bounds.h"
#include "lib/compile/value_set.h"

namespace rasp::analyze {

/// How wide a compiled model gets, estimated with tracr's construction (ANCHORS.md):
/// a categorical s-op takes one residual direction per value, a numerical one direction;
/// tokens one per vocabulary word plus BOS, indices one per position, plus one constant
/// direction and one scratch direction per selector_width. MLP hidden widths: a categorical
/// map of one operand |operand values|, of several the product of their sizes, a numerical
/// map 2|operand values| - 1, a selector_width's MLP 2 max_len + 2. S-ops whose encoding is
/// unspecified count as categorical (tracr's default).
struct SizeEstimate {
  int residual_width = 0;
  /// Residual directions per s-op (inputs and the constant direction excluded).
  std::vector<std::pair<ir::NodeId, int>> residual;
  /// Hidden width of each Map / selector_width MLP.
  std::vector<std::pair<ir::NodeId, int>> mlp_hidden;
  /// Summed hidden widths of the MLPs in each layer of the given (tracr) bounds.
  std::vector<int> mlp_hidden_per_layer;
};

/// Estimates sizes from exact value sets; `tracr` places the MLPs in layers.
[[nodiscard]] SizeEstimate estimate_sizes(const ir::Program& program, ir::NodeId root,
                                          const compile::ValueSets& sets,
                                          const compile::ValueSetOptions& options,
                                          const Bounds& tracr);

/// {"residual_width", "mlp_hidden_per_layer", "residual": [{"node","name","dims"}],
///  "mlp_hidden": [{"node","name","hidden"}]}
[[nodiscard]] nlohmann::json sizes_to_json(const ir::Program& program, const SizeEstimate& e);

/// [{"node", "name", "line", "size", "values": [repr...]}] for every s-op with a set;
/// values are exact (`7/3`), strings quoted.
[[nodiscard]] nlohmann::json value_sets_to_json(const ir::Program& program, ir::NodeId root,
                                                const compile::ValueSets& sets);

}  // namespace rasp::analyze
