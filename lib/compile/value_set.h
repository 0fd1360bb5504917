// lib/compile/value_set.h - Exact sets of values each s-op can take, for a vocabulary and max length.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "lib/interp/evaluator.h"
#include "lib/ir/diagnostic.h"
#include "lib/ir/program.h"
#include "lib/ir/value.h"

namespace rasp::compile {

/// Distinct values (by ir::Value::identical, so 2 and 2.0 are two values), sorted by
/// ir::Value::total_less.
using ValueSet = std::vector<ir::Value>;

struct ValueSetOptions {
  /// The raw input tokens (before the `tokens` node converts them per its token type).
  std::vector<ir::Value> vocab;
  /// Inputs have 1..max_len tokens.
  int max_len = 8;
  /// Mean (the default) or Sum: what an aggregate that selects 2+ keys produces.
  interp::Aggregation aggregation = interp::Aggregation::Mean;
  /// A set, or a product of operand sets enumerated for a map, over this size is refused
  /// with E0212 naming the node.
  std::size_t max_size = 1 << 14;
};

/// The inferred sets: `of(id)` for s-ops; selectors have none.
struct ValueSets {
  std::vector<std::optional<ValueSet>> sets;
  [[nodiscard]] const ValueSet& of(ir::NodeId id) const { return *sets[id]; }
  [[nodiscard]] bool has(ir::NodeId id) const { return id < sets.size() && sets[id].has_value(); }
};

/// Infers, for every ancestor of `root` (itself included), a superset of the values the
/// node takes on any input of 1..max_len tokens from the vocabulary, exact per node:
///  - tokens: the vocabulary converted per token type; indices: 0..max_len-1;
///    selector widths: 0..max_len; constants: their value;
///  - maps: the function enumerated over the product of its operands' sets (operands are
///    treated as independent, so the set may contain values no input produces); a linear
///    map of numbers (linear_form) builds no table, so only its set of sums must stay
///    within `max_size`, not the product of its operands' sets;
///    combinations on which the expression fails (division by zero, a bad index) are left
///    out, as the interpreter would stop there;
///  - aggregates: the default, every value, and when the values are numbers (not all
///    booleans) every mean (or sum) of 2..max_len of them, as exact rationals; when
///    `selects_at_most_one(selector)` holds, no means.
/// Fails with E0212 when a set or a map's operand product exceeds `max_size`, and with
/// E0211 when the vocabulary does not convert to the token type.
[[nodiscard]] Result<ValueSets> infer_value_sets(const ir::Program& program, ir::NodeId root,
                                                 const ValueSetOptions& options);

/// A sufficient condition for a selector to select at most one key per query on every
/// input: an `==` select (x0 == x1, either order) whose keys are indices or an injective
/// map of indices, or an `and` with such a part. False means "not proven", not "no".
[[nodiscard]] bool selects_at_most_one(const ir::Program& program, ir::NodeId selector,
                                       int max_len);

/// A map's expression as `constant + sum of coefficients[i] * x_i` (tracr's linear sequence
/// map): it compiles to a readout of its operands' numerical readouts, with no table.
struct LinearForm {
  std::vector<double> coefficients;  ///< one per operand x0..x(arity-1); 0 when unused
  double constant = 0;
};

/// `e` as a linear form of its `arity` operands when it is built from number constants
/// (not booleans), operands, `+`, `-`, unary minus, and `*` or `/` by a constant (not 0);
/// nothing otherwise.
[[nodiscard]] std::optional<LinearForm> linear_form(const ir::Expr& e, std::size_t arity);

/// Inserts `v` into a sorted ValueSet unless an identical value is there.
void insert_value(ValueSet& set, const ir::Value& v);

}  // namespace rasp::compile
