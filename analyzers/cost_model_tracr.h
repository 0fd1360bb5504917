// analyzers/cost_model_tracr.h - Layers, heads and MLPs as tracr's longest-path allocation gives them.
#pragma once

#include "analyzers/bounds.h"

namespace rasp::analyze {

/// Predicts the depth of the model tracr would build for `root`.
///
/// A layer is an attention sublayer followed by an MLP sublayer (sublayers 2k and 2k+1 of
/// layer k+1). Every node goes to the earliest sublayer of its kind after all its operands:
/// an aggregate to an attention sublayer, a Map to an MLP sublayer (so two consecutive Maps
/// cost two layers), a selector_width to an attention sublayer and the MLP right after it.
/// Tokens, indices and constants are embedded. Each attention node is its own head (tracr
/// does not share heads), so `options` is ignored. Layers are always minimal for this
/// sublayer discipline: `lower_bound` is the longest chain of sublayers.
[[nodiscard]] Bounds tracr_bounds(const ir::Program& program, ir::NodeId root,
                                  const BoundsOptions& options = {});

}  // namespace rasp::analyze
