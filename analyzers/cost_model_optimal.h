// analyzers/cost_model_optimal.h - The fewest layers, then heads, any schedule can reach, proven.
#pragma once

#include <optional>

#include "analyzers/bounds.h"

namespace rasp::analyze {

/// The optimal schedule of `root`: the fewest layers, then the fewest heads in the widest
/// layer at that depth, then the fewest heads in total.
///
/// Attention nodes that read the same (hash-consed) selector node share a head when they
/// land in the same layer; a selector_width costs what the reference's costs (two heads, one
/// with BOS) and shares only with selector_widths of the same selector. Elementwise Maps are
/// free unless `options.mlp_sublayers`, which makes every Map take an MLP sublayer as in the
/// tracr model. The layer count is the length of the critical path (a lower bound that the
/// as-early-as-possible schedule meets); heads come from an exact search over each node's
/// slack between its earliest and latest layer: Z3's SAT solver with pseudo-Boolean head
/// budgets, binary search on the widest layer then on the total, skipped when a heuristic
/// schedule already meets the lower bounds (every key once; the heads that must fall in a
/// window of layers, spread over it). `tight` is false only if that search timed out.
[[nodiscard]] Bounds optimal_bounds(const ir::Program& program, ir::NodeId root,
                                    const BoundsOptions& options = {});

/// As optimal_bounds but with exactly `layers` layers (at least the minimum); nothing when
/// `layers` is below the minimum.
[[nodiscard]] std::optional<Bounds> optimal_bounds_with_layers(const ir::Program& program,
                                                               ir::NodeId root, int layers,
                                                               const BoundsOptions& options = {});

/// For each layer count from the minimum up to the first that reaches the smallest possible
/// widest layer (the dearest single head), the fewest heads in the widest layer and then in
/// total. Always includes the greedy (rasp model) layer count.
[[nodiscard]] std::vector<FrontierPoint> pareto_frontier(const ir::Program& program,
                                                         ir::NodeId root,
                                                         const BoundsOptions& options = {});

}  // namespace rasp::analyze
