// analyzers/bounds.h - The result every cost model returns: layers, heads, proof and schedule.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lib/ir/program.h"

namespace rasp::analyze {

/// The cost models of issue 3 (docs/bounds.md explains each).
enum class CostModel { Rasp, Tracr, Optimal };

[[nodiscard]] std::string_view cost_model_name(CostModel model);
[[nodiscard]] std::optional<CostModel> parse_cost_model(std::string_view name);

/// Options shared by the cost models.
struct BoundsOptions {
  /// A BOS position exists: the reference's selector_width then costs one head, not two.
  bool bos = false;
  /// Optimal model only: count MLP sublayers as tracr does (a layer is an attention
  /// sublayer followed by an MLP sublayer, and each Map needs its own MLP sublayer).
  bool mlp_sublayers = false;
  /// Optimal model only: Z3 time limit for one search, in milliseconds.
  unsigned timeout_ms = 20000;
  /// Optimal model only: for each node id, a selector proven equal to it (the same matrix
  /// on every input), whose heads it may share; empty, or a node mapped to itself, means
  /// only hash-consed selectors share (`raspkit bounds --smt` fills it).
  std::vector<ir::NodeId> same_selector;
};

/// Sizes of a program under one cost model, with the evidence behind them.
///
/// Layers count from 1; an s-op computable from the input alone (no attention before it)
/// is placed in layer 0, i.e. folded into the embedding. Selectors have no placement of
/// their own: they live in the heads of the aggregates that read them.
struct Bounds {
  CostModel model = CostModel::Rasp;
  int layers = 0;
  int max_heads = 0;
  std::vector<int> heads_per_layer;  ///< index 0 is layer 1
  int total_heads = 0;
  /// No schedule of this model can use fewer layers: the length of `critical_path`.
  int lower_bound = 0;
  /// `layers == lower_bound`, and for the optimal model also max and total heads proven
  /// minimal by an exact search (false when that search ran out of time).
  bool tight = false;
  /// The witness of `lower_bound`: a chain of dependent attention nodes (tracr model:
  /// attention and MLP sublayers), each of which needs a later (sub)layer than the last.
  std::vector<ir::NodeId> critical_path;
  /// Layer and head of every s-op the root depends on. Attention nodes that share a head
  /// have the same (layer, head); a selector_width costing two heads has `head` and
  /// `head + 1`.
  ir::Schedule schedule;
  /// Tracr model (and the optimal model with `mlp_sublayers`): MLP blocks per layer.
  std::vector<int> mlps_per_layer;
  /// Tracr model: for each Map/SelectorWidth node, the layer whose MLP sublayer runs it.
  std::vector<std::pair<ir::NodeId, int>> mlp_placement;
};

/// One point of the trade-off between depth and width: with `layers` layers, no schedule
/// has fewer than `max_heads` heads in its widest layer.
struct FrontierPoint {
  int layers = 0;
  int max_heads = 0;
  int total_heads = 0;
  bool proven = false;  ///< false when the exact search timed out (then an upper bound)
};

/// How many heads an attention node costs on its own: 1 for an aggregate; for a
/// selector_width 2 (the reference library builds it from two aggregates) or 1 with BOS.
[[nodiscard]] int attention_cost(const ir::Program& program, ir::NodeId node, bool bos);

/// The s-ops (not selectors) an attention node's head reads: the values of an aggregate and
/// the keys and queries of every leaf select of its selector.
[[nodiscard]] std::vector<ir::NodeId> attention_operands(const ir::Program& program,
                                                         ir::NodeId node);

/// The leaf Select nodes of a (possibly composite) selector.
[[nodiscard]] std::vector<ir::NodeId> selector_leaves(const ir::Program& program,
                                                      ir::NodeId selector);

/// The longest chain of attention nodes among the ancestors of `root` (the witness of the
/// layer lower bound when elementwise operations are free), first to last.
[[nodiscard]] std::vector<ir::NodeId> attention_critical_path(const ir::Program& program,
                                                              ir::NodeId root);

/// Whether tracr would fold `map` into the Map it reads: a Map of one s-op applied to a
/// Map of one s-op is one function of the inner operand (tracr's Map simplifies
/// Map(f, Map(g, x)) to Map(f . g, x)), so the two share one MLP. Constants do not count
/// as operands.
[[nodiscard]] bool fuses_into_operand(const ir::Program& program, ir::NodeId map);

/// For each node: 1 for a Map (not `root`) that every user among the ancestors of `root`
/// composes into itself (fuses_into_operand), so tracr never builds it as an MLP.
[[nodiscard]] std::vector<char> absorbed_maps(const ir::Program& program, ir::NodeId root);

/// A short user-facing name for a node: its name, else `kind#id`.
[[nodiscard]] std::string node_label(const ir::Program& program, ir::NodeId node);

}  // namespace rasp::analyze
