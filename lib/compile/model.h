// lib/compile/model.h - A compiled transformer: named residual layout, weights, output decoding.
#pragma once

#include <Eigen/Dense>
#include <optional>
#include <string>
#include <vector>

#include "lib/compile/value_set.h"
#include "lib/ir/diagnostic.h"
#include "lib/ir/program.h"

namespace rasp::compile {

/// One residual dimension: which s-op it belongs to and what it means. `value` is the repr
/// of the value a categorical dimension is the one-hot of; empty for a numerical dimension
/// (which holds the value itself) and for the special dimensions "bos" (1 at the BOS
/// position only), "one" (1 at every other position) and scratch dimensions.
struct Direction {
  std::string sop;
  std::string value;
  std::string role;  ///< "categorical", "numerical", "bos", "one" or "scratch"
  int node = -1;     ///< the program node (ir::NodeId) it belongs to; -1 for "bos" and "one"
};

/// A linear functional of the residual stream, as (dimension, coefficient) pairs.
using Readout = std::vector<std::pair<int, double>>;

/// One attention head: logits X W_q (X W_k)^T with no 1/sqrt(d) softening, row softmax,
/// then the weighted values X W_v projected by W_o and added to the residual.
struct AttentionHead {
  std::string node;  ///< the aggregate or selector width it computes
  std::vector<ir::NodeId> node_ids;  ///< the same nodes as program ids (several share a selector)
  Eigen::MatrixXd w_q, w_k;  ///< d_model x d_head
  Eigen::MatrixXd w_v;       ///< d_model x d_value
  Eigen::MatrixXd w_o;       ///< d_value x d_model
  double logit_scale = 0;    ///< the logit of one satisfied predicate
};

/// ReLU(X W_in) W_out added to the residual; biases are folded into the "one" dimension,
/// so every hidden unit is 0 at the BOS position.
struct Mlp {
  Eigen::MatrixXd w_in;   ///< d_model x hidden
  Eigen::MatrixXd w_out;  ///< hidden x d_model
  std::vector<std::string> nodes;  ///< the s-ops it computes
  /// One entry per entry of `nodes`: its program id, its hidden units [begin, end) and what
  /// the function is ("map", "width_decode" for a selector width's 1/(w+1) -> w, "shadow"
  /// for the one-hot of a numerical aggregate).
  struct Units {
    ir::NodeId node = 0;
    int begin = 0;
    int end = 0;
    std::string function;
  };
  std::vector<Units> units;
};

struct Layer {
  std::vector<AttentionHead> heads;
  Mlp mlp;
};

/// How to read an s-op from the final residual stream at one position.
struct Decoder {
  std::string sop;
  bool categorical = true;
  /// Categorical: the value with the largest readout wins.
  std::vector<ir::Value> values;
  std::vector<Readout> readouts;
  /// Numerical: one readout, snapped to the nearest of `values` (sorted numerically).
  Readout numeric;
};

/// An assumption the weights rely on that compilation did not prove, tied to a node: e.g.
/// "this aggregate selects at most one key". Exhaustive search up to `checked_up_to`
/// tokens found no input violating it.
struct Obligation {
  /// What is assumed: at most one key selected, or selected keys holding equal values.
  enum class Kind : std::uint8_t { AtMostOneKey, SelectedValuesEqual };
  std::string node;
  SourceRange range;
  std::string statement;
  int checked_up_to = 0;
  ir::NodeId id = 0;  ///< the node in the program given to compile()
  Kind kind = Kind::AtMostOneKey;
};

/// How a map that reads a selector width gets its value.
enum class WidthFusion : std::uint8_t {
  /// Read the width off its head's BOS weight in the head's own layer (saving a layer) only
  /// when that MLP is no wider than decoding the width first: when the width is all the map
  /// reads. With other operands the fused table is the decoding's 2N+1 units times their
  /// values (reverse at N = 5: 55 units, where decoding first needs 11, then 30).
  Auto,
  Always,  ///< fuse whenever it saves a layer: the fewest layers, wider MLPs
  Never,   ///< always decode the width to a one-hot first
};

struct CompileOptions {
  std::vector<ir::Value> vocab;
  int max_len = 8;
  /// Refuse value sets (and map tabulations) larger than this.
  std::size_t max_value_set = 1 << 12;
  /// Upper bound on the attention weight that leaks away from the intended keys, per head
  /// and per query, at every length up to max_len; the logit scale is derived from it.
  double attention_leak = 1e-7;
  /// Witness search for unproven obligations: every input of up to this many tokens
  /// (stopping after `witness_budget` inputs).
  int witness_len = 5;
  std::size_t witness_budget = 200000;
  /// What an aggregate that selects several keys computes (RASPy's sum or the mean). Under
  /// sum, only aggregates that select at most one key compile (there sum and mean agree).
  interp::Aggregation aggregation = interp::Aggregation::Mean;
  WidthFusion width_fusion = WidthFusion::Auto;
};

struct Model {
  std::vector<Direction> layout;
  /// Token embedding: row 0 is BOS, row 1 + i is vocab[i].
  std::vector<ir::Value> vocab;
  Eigen::MatrixXd token_embedding;     ///< (1 + |vocab|) x d_model
  Eigen::MatrixXd position_embedding;  ///< (1 + max_len) x d_model; position 0 is BOS
  std::vector<Layer> layers;
  Decoder output;
  int max_len = 0;
  std::vector<Obligation> obligations;
  /// The bound the logit scales were derived from (CompileOptions::attention_leak).
  double attention_leak = 0;
  /// The token type of the program's `tokens`, for converting raw input tokens.
  ir::TokenType token_type = ir::TokenType::Str;

  [[nodiscard]] int d_model() const { return static_cast<int>(layout.size()); }
  [[nodiscard]] std::size_t parameter_count() const;
};

/// Compiles `root` to weights exact on every input of 1..max_len tokens from the vocabulary
/// (mean aggregation, no BOS or causal mask in the program's semantics: the model's own
/// BOS position is invisible to the program). Attention nodes go in the layer `schedule`
/// gives them when it is valid, else in the earliest layer their operands allow; maps run
/// in the MLP of the layer that produces their last operand, maps of tokens alone or of
/// indices alone in the embedding.
///
/// Refuses (E0401, naming the node and its line) what it cannot compile exactly, with a
/// witness input in the notes when one exists: a categorical aggregate that selects two
/// keys, a map of two numerical s-ops, under sum aggregation an aggregate that selects two
/// keys; E0212 for a value set (or the value combinations a composite selector tests
/// together) over the limit.
[[nodiscard]] Result<Model> compile(const ir::Program& program, ir::NodeId root,
                                    const CompileOptions& options,
                                    const ir::Schedule* schedule = nullptr);

}  // namespace rasp::compile
