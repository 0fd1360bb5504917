// checkers/smt/verdict.h - What a bounded query answers: proven, refuted with an input, or unknown.
#pragma once

#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "lib/interp/evaluator.h"
#include "lib/ir/diagnostic.h"
#include "lib/ir/value.h"

namespace rasp::check {

/// A query over one input, one of every length from 1 to `max_len` (vocabulary symbols).
struct BoundedOptions {
  interp::Options semantics;
  /// The raw token values, in the order that defines the least input.
  std::vector<ir::Value> vocabulary;
  int max_len = 6;
  /// Seconds for the whole query (every solver call gets what is left); 0 means no limit.
  double timeout_seconds = 0;
  /// Seconds for any one solver call, within what `timeout_seconds` leaves; 0: no limit.
  double solver_timeout_seconds = 0;
  /// Z3 resource units (its `rlimit`: a machine-independent count of work) for any one
  /// solver call; 0 means no limit. Unlike a timeout, it gives the same verdict every run.
  unsigned rlimit = 0;
  /// When the encoder cannot translate a program exactly, lengths with at most this many
  /// inputs are checked by running the interpreter on every one of them instead.
  std::size_t exhaustive_fallback = 100000;
  /// Lengths with at most this many inputs are settled by running every one of them, not by
  /// Z3: below a few thousand inputs the interpreter is faster than building a solver
  /// (bench/equiv_bench). 0 sends every length to Z3.
  std::size_t enumerate_up_to = 2000;
  /// Lengths with more inputs than that but at most this many give Z3 a share of work in
  /// proportion to their inputs (kZ3UnitsPerInput resource units each, about what running
  /// one input costs); when Z3 needs more, or a solver call times out, every input is run
  /// instead. Resource units, not time, so the same length is settled the same way every
  /// run. 0: Z3 alone.
  std::size_t race_up_to = 100000;
  /// Called as each length is started (progress on a terminal); may be empty.
  std::function<void(int length)> on_length;
};

/// Z3 resource units (rlimit) a length that races enumeration gets per input: on this
/// project's machine about 2.7 million units a second and 5 us to run a short input through
/// two small programs, so about a few times what enumerating costs.
inline constexpr unsigned kZ3UnitsPerInput = 40;

/// The claim holds on every input of length 1..proven_up_to.
struct Proven {
  int proven_up_to = 0;
  /// How each length was settled, e.g. "smt" or "exhaustive (unsupported: ...)".
  std::vector<std::string> methods;
};

/// An input on which the claim fails, confirmed by the interpreter: the shortest one, and
/// among those the first in vocabulary order.
struct Counterexample {
  std::vector<ir::Value> input;
  /// Equivalence: the two programs' outcomes. Property: the expression and the assertion.
  Result<interp::Output> output_a;
  Result<interp::Output> output_b;
};

/// Neither proven nor refuted: the solver timed out, answered unknown, or the encoder could
/// not translate the program; lengths 1..proven_up_to were proven before that.
struct Inconclusive {
  std::string reason;
  int proven_up_to = 0;
};

using Verdict = std::variant<Proven, Counterexample, Inconclusive>;

/// Whether two outcomes differ: one fails and the other does not, or both succeed with
/// values that differ under Python's `==` (positionwise) or matrices that differ.
[[nodiscard]] bool outcomes_differ(const Result<interp::Output>& a,
                                   const Result<interp::Output>& b);

}  // namespace rasp::check
