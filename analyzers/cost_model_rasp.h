// analyzers/cost_model_rasp.h - The reference interpreter's layer and head counting, exactly.
#pragma once

#include "analyzers/bounds.h"

namespace rasp::analyze {

/// The depth the reference interpreter gives `node`: inputs 0; a map the max of its operands;
/// a select one more than its deeper operand; a composite selector the max of its operands;
/// an aggregate max(depth(values) + 1, depth(selector)); selector_width max(depth(sel), 1).
[[nodiscard]] int rasp_depth(const ir::Program& program, ir::NodeId node);

/// Layers and heads as the reference (tech-srl/RASP) counts them.
///
/// Every s-op sits at its depth (greedy, as early as possible); layers are the largest depth
/// among the s-ops `root` depends on. The heads of a layer are the distinct selector objects
/// (Node::instance; the selector node when the instance is 0) read by the aggregates at that
/// depth; each selector_width adds two heads of its own (one with `options.bos`), shared
/// with nothing, because the reference library builds it from two aggregates over fresh
/// selectors.
[[nodiscard]] Bounds rasp_bounds(const ir::Program& program, ir::NodeId root,
                                 const BoundsOptions& options = {});

}  // namespace rasp::analyze
