// checkers/smt/hazards.h - Compile hazards as bounded proof obligations: proven by Z3, or refuted with the least input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "checkers/smt/verdict.h"
#include "lib/ir/program.h"

namespace rasp::check {

/// What the weights of a compiled program assume about one node (DESIGN.md, "Compiler").
enum class HazardKind : std::uint8_t {
  /// The aggregate selects at most one key at every query (one-hot values cannot be
  /// averaged).
  AtMostOneKey,
  /// The keys the aggregate selects at one query all hold equal values.
  SelectedValuesEqual,
  /// The map, select or aggregate never fails where its operands do not: no division by
  /// zero, bad index or lookup, no average of non-numbers, no mixed-type sequence.
  NoRuntimeError,
  /// The selector width stays within 0..max_len, the range its MLP decodes.
  WidthInRange,
};

struct Hazard {
  ir::NodeId node = 0;
  HazardKind kind = HazardKind::NoRuntimeError;
};

/// The assumption as a sentence: "selects at most one key at every query", ...
[[nodiscard]] std::string hazard_statement(HazardKind kind);

/// The hazards every compilation of `root` carries, whatever encoding the compiler picks:
/// NoRuntimeError for each map, select and aggregate that can fail at all (its expression
/// divides, takes a modulus, indexes, or it averages), WidthInRange for each selector
/// width; in topological order.
[[nodiscard]] std::vector<Hazard> runtime_hazards(const ir::Program& program, ir::NodeId root);

struct HazardOutcome {
  Hazard hazard;
  /// The hazard cannot happen on any input of 1..proven_up_to tokens.
  int proven_up_to = 0;
  /// The least input (shortest, then first in vocabulary order) of length proven_up_to + 1
  /// on which it happens, confirmed by the interpreter.
  std::optional<std::vector<ir::Value>> witness;
  /// The violation simplified to false at every length: no solver call was needed.
  bool trivial = true;
};

struct HazardReport {
  /// One per hazard, in the order given.
  std::vector<HazardOutcome> outcomes;
  /// No hazard happens on any input of 1..proven_up_to tokens.
  int proven_up_to = 0;
  /// Why the search stopped before `max_len` without a witness: the time limit, Z3's
  /// unknown, or a construction the encoder cannot translate exactly. Empty otherwise.
  std::string inconclusive;
  /// Solver calls made (one per hazard and length, plus those that minimise a witness).
  int solver_calls = 0;
};

/// Length by length from 1 to `options.max_len`, one encoding of `root` per length serving
/// every hazard: each is proven (unsat) or refuted with the least input of that length,
/// confirmed by the interpreter. Stops after the first length where some hazard happens, so
/// every witness is as short as any can be. The semantics are `options.semantics`; the
/// hazards of a compiled model are stated for the default one (mean, no BOS, no causal).
///
/// Fails (E0211) when a vocabulary symbol is not a valid token; solver trouble ends the
/// search with `inconclusive` set, never an error.
[[nodiscard]] Result<HazardReport> check_hazards(const ir::Program& program, ir::NodeId root,
                                                 const std::vector<Hazard>& hazards,
                                                 const BoundedOptions& options);

}  // namespace rasp::check
