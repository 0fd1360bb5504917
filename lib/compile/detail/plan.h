// lib/compile/detail/plan.h - The compiler's intermediate form between its stages (internal).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "lib/compile/model.h"
#include "lib/compile/value_set.h"

namespace rasp::compile::detail {

/// Stages of the residual stream: 0 the embedding, 2L-1 the attention of layer L, 2L its
/// MLP. A representation made at stage s can be read by stages after s.
inline int attention_stage(int layer) { return 2 * layer - 1; }
inline int mlp_stage(int layer) { return 2 * layer; }
/// The first layer whose attention can read something made at stage s.
inline int first_attention_layer_after(int s) { return (s + 1) / 2 + 1; }
/// The first layer whose MLP can read something made at stage s.
inline int first_mlp_layer_after(int s) { return s / 2 + 1; }

/// Linear maps live nowhere: every reader reads them through their operands' readouts.
enum class Where { None, Embed, Attention, Mlp, Linear };

/// How one s-op lives in the residual stream.
struct SopPlan {
  bool needed = false;
  Where where = Where::None;
  bool cat = false;       ///< has a one-hot representation
  bool num = false;       ///< has a single numerical direction
  bool need_cat = false;  ///< some consumer needs the one-hot
  bool shadow = false;    ///< cat is made by a conversion MLP after a numerical attention
  bool materialized = false;  ///< has residual directions (others are fused or constant)
  int stage = -1;      ///< where the first representation is made
  int cat_stage = -1;  ///< where the one-hot is made (later than `stage` for a shadow)
  int layer = 0;       ///< attention or MLP layer
  int head = -1;
  /// Aggregate: the default has no direction of its own: "nothing selected" is the zero
  /// vector, read through `one - sum of the value directions`.
  bool numeric_mean = false;
  /// A linear map of numbers with a numerical operand (tracr's LinearSequenceMap): no
  /// directions and no MLP; its numerical readout is `constant` plus the sum of the terms'
  /// readouts times their coefficients, so MLPs never tabulate across it.
  bool linear = false;
  std::vector<std::pair<ir::NodeId, double>> terms;
  double constant = 0;
};

/// A conjunct of an attention predicate: keys and queries are one s-op each, and
/// matrix[a][b] says whether query value a selects key value b.
struct PredicatePart {
  ir::NodeId keys = 0;
  ir::NodeId queries = 0;
  std::vector<std::vector<std::uint8_t>> matrix;
};

struct AttentionBlock {
  ir::NodeId node = 0;
  bool width = false;
  std::vector<PredicatePart> parts;  ///< selected iff every part holds
  int layer = 0;
  int head = 0;
};

/// An operand of an MLP function: a categorical s-op read through its indicators, or a
/// numerical one read through one readout (`node` unset for a selector width's scratch).
struct Leaf {
  ir::NodeId node = 0;
  bool cat = true;
  std::vector<ir::Value> values;
  /// A selector width read, in the MLP of its own layer, through the weight its head left
  /// on BOS: `values` are 1/(w+1) and the function sees w.
  bool width_scratch = false;
};

enum class FunctionKind { Map, WidthDecode, Shadow };

/// One function an MLP computes for one s-op, tabulated over its leaves' values.
struct FunctionBlock {
  FunctionKind kind = FunctionKind::Map;
  ir::NodeId node = 0;
  int layer = 0;
  std::vector<Leaf> leaves;
  bool out_cat = false;
  bool out_num = false;
  std::function<std::optional<ir::Value>(const std::vector<ir::Value>&)> f;
};

struct Plan {
  const ir::Program* program = nullptr;
  ir::NodeId root = 0;
  ValueSets sets;
  std::vector<SopPlan> sops;
  std::vector<AttentionBlock> attention;
  std::vector<FunctionBlock> functions;
  std::vector<ir::NodeId> embedded_maps;  ///< maps folded into the embedding, materialized
  int layers = 0;
  std::vector<Obligation> obligations;
};

/// Where every residual representation lives.
struct Layout {
  std::vector<Direction> dims;
  int bos = 0;
  int one = 1;
  std::map<ir::NodeId, std::vector<int>> cat_dims;  ///< per value of the node's set, or -1
  std::map<ir::NodeId, int> num_dim;
  std::map<ir::NodeId, int> scratch_dim;  ///< width heads, numerical defaults
};

/// A copy of a program with its composite selectors lowered, and where each node went
/// (a node keeps its id unless it reads a lowered selector, directly or through others).
struct Lowered {
  ir::Program program;
  ir::NodeId root = 0;
  std::vector<ir::NodeId> old_to_new;
};

/// composite_to_tuples.cpp: every or/not selector over several key or query s-ops becomes
/// one Select of two tuple-code maps (E0212 when a tuple's value combinations exceed
/// `max_value_set`); everything else is copied unchanged.
[[nodiscard]] Result<Lowered> composite_to_tuples(const ir::Program& program, ir::NodeId root,
                                                  const CompileOptions& options);

/// graph_to_blocks.cpp: encodings, selector predicates, hazards (with witness search).
[[nodiscard]] Result<Plan> graph_to_blocks(const ir::Program& program, ir::NodeId root,
                                           const CompileOptions& options);
/// blocks_to_layers.cpp: stages, layers and heads, MLP functions with their leaves.
[[nodiscard]] Result<void> blocks_to_layers(Plan& plan, const CompileOptions& options,
                                            const ir::Schedule* schedule);
/// layout.cpp: residual dimensions and the readouts of every representation.
[[nodiscard]] Layout make_layout(const Plan& plan);
/// The indicator readout of value index `v` of a categorical node.
[[nodiscard]] Readout indicator(const Plan& plan, const Layout& layout, ir::NodeId node,
                                std::size_t v);
/// The numerical readout of a node (linear in its indicators when it is categorical).
[[nodiscard]] Readout numeric_readout(const Plan& plan, const Layout& layout, ir::NodeId node);
/// blocks_to_weights.cpp: the matrices.
[[nodiscard]] Result<Model> blocks_to_weights(const Plan& plan, const Layout& layout,
                                              const CompileOptions& options);

/// compile.cpp: every stage of compile() on a program, kept together for those that read
/// the model's residual stream back (ResidualReader): the lowered copy the plan points
/// into (held by pointer so that it stays put), the plan, the layout and the model, whose
/// obligations name the caller's nodes.
struct Stages {
  std::unique_ptr<Lowered> lowered;
  Plan plan;
  Layout layout;
  Model model;
};
[[nodiscard]] Result<Stages> compile_stages(const ir::Program& program, ir::NodeId root,
                                            const CompileOptions& options, const ir::Schedule* schedule);

std::string node_label(const ir::Program& program, ir::NodeId id);

/// The value of `id` computed through maps and constants from the values in `known`
/// (which it extends); nothing when it needs another node or the expression fails.
std::optional<ir::Value> evaluate_through(const ir::Program& program, ir::NodeId id,
                                          std::map<ir::NodeId, ir::Value>& known);

}  // namespace rasp::compile::detail
