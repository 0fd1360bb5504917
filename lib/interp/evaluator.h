// lib/interp/evaluator.h - The exact reference semantics of RASP programs.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "lib/ir/diagnostic.h"
#include "lib/ir/program.h"

namespace rasp::interp {

/// How an aggregate combines two or more selected values.
enum class Aggregation : std::uint8_t {
  Mean,  ///< the reference and tracr: the mean, only of numbers
  Sum,   ///< RASPy: the sum, only of numbers
};

struct Options {
  Aggregation aggregation = Aggregation::Mean;
  /// Prepend a BOS position: tokens at index 0 are the BOS token ("BOS", 0, 0.0 or False
  /// by token type), indices count from it, and it is left out of every result.
  bool bos = false;
  /// A query at i selects no key after i.
  bool causal = false;
  /// Refuse (E0212, located at the selector) an evaluation whose selector matrices would
  /// together exceed this many cells (one byte each; every matrix stays in the trace).
  std::size_t max_matrix_cells = std::size_t{1} << 32;
  /// Typed columns (int64s; (kind, num, den) numbers) made into `Value`s only when read
  /// as values, tabulation by distinct value, and comparison selectors read off sorted
  /// keys. Off, every map and predicate is evaluated per position on `Value`s: the same
  /// results and faults, slower; the property tests compare the two.
  bool fast_paths = true;
  /// With fast paths, on inputs under 33 positions: nodes that do not read `tokens` (what
  /// `indices`, `length` and constants make) keep their values from the thread's last
  /// evaluation when it was of the same program (Program::serial), the same length and
  /// the same options, so a batch of equal-length inputs computes them once. And at any
  /// length, maps over `tokens` alone remember their result per token value across the
  /// thread's evaluations of the program. Results and faults are the same either way; the
  /// tests compare the two.
  bool reuse = true;
  /// With fast paths, evaluate() on inputs of at most 64 positions (BOS included) runs the
  /// root's ancestors as a kernel: typed once per program, then straight-line column
  /// operations (lib/interp/detail/kernel.h). Where the kernel declines (a fault, an
  /// overflow, a node it does not cover) the evaluation goes on as without it; results
  /// and faults are the same either way, which the tests compare.
  bool kernels = true;
};

/// Why an input of no tokens is refused (E0211), wherever it is met first.
inline constexpr const char* kEmptyInput = "the input must have at least one token";

using Column = std::vector<ir::Value>;

/// A selector's value: cell (q, k) says whether query q selects key k.
struct Matrix {
  std::size_t n = 0;
  std::vector<std::uint8_t> cells;
  [[nodiscard]] bool at(std::size_t q, std::size_t k) const { return cells[q * n + k] != 0; }
};

/// The value of every node evaluated for one input (positions include BOS when on).
class Trace {
 public:
  [[nodiscard]] bool has(ir::NodeId id) const {
    return id < d_columns.size() && (d_columns[id].has_value() || d_matrices[id].has_value());
  }
  [[nodiscard]] const Column& column(ir::NodeId id) const { return *d_columns[id]; }
  [[nodiscard]] const Matrix& matrix(ir::NodeId id) const { return *d_matrices[id]; }
  [[nodiscard]] bool is_matrix(ir::NodeId id) const { return d_matrices[id].has_value(); }
  /// Positions the user sees: 1 when a BOS position was prepended, else 0.
  [[nodiscard]] std::size_t first_position() const { return d_first; }

 private:
  friend class Evaluator;
  std::vector<std::optional<Column>> d_columns;
  std::vector<std::optional<Matrix>> d_matrices;
  std::size_t d_first = 0;
};

/// A result for the user: an s-op's values or a selector's matrix, BOS removed.
struct Output {
  bool is_selector = false;
  Column values;
  std::vector<std::vector<bool>> matrix;  ///< [query][key]
};

/// Whether two results are the same as Python compares them (3 == 3.0): what compiled
/// weights must reproduce of the interpreter.
[[nodiscard]] inline bool same_values(const Output& a, const Output& b) {
  if (a.is_selector != b.is_selector || a.values.size() != b.values.size() || a.matrix != b.matrix) return false;
  for (std::size_t i = 0; i < a.values.size(); ++i) {
    if (!(a.values[i] == b.values[i])) return false;
  }
  return true;
}

/// Evaluates every ancestor of `roots` on `input` (raw token values), each node once, in
/// topological order. Run-time faults (averaging non-numbers, a mixed-type sequence,
/// division by zero, a bad index) are diagnostics located at the node's source range and
/// naming the input.
[[nodiscard]] Result<Trace> trace(const ir::Program& program, std::span<const ir::NodeId> roots,
                                  std::span<const ir::Value> input, const Options& options);

/// The value of `root` on `input`. Safe to call from several threads at once: each thread
/// evaluates in its own scratch space.
[[nodiscard]] Result<Output> evaluate(const ir::Program& program, ir::NodeId root,
                                      std::span<const ir::Value> input, const Options& options);

/// Whether evaluate() runs `root` under `options` as a kernel (Options::kernels) on inputs
/// short enough, at least until some input makes the kernel decline.
[[nodiscard]] bool kernel_covers(const ir::Program& program, ir::NodeId root, const Options& options);

/// The user-visible value of `id` in a trace.
[[nodiscard]] Output output_of(const Trace& trace, ir::NodeId id);

/// Python-like rendering of an input for messages: "hello" or [1, 2, 3].
[[nodiscard]] std::string describe_input(std::span<const ir::Value> input);

}  // namespace rasp::interp
