// checkers/smt/detail/bounded_search.h - The length-by-length search every bounded query shares.
#pragma once

#include <functional>
#include <vector>

#include "checkers/smt/encoder.h"
#include "checkers/smt/verdict.h"

namespace rasp::check::detail {

/// The interpreter's outcomes on one input, and whether the claim fails there.
struct Run {
  Result<interp::Output> a;
  Result<interp::Output> b;
  bool fails = false;
};

/// A claim about every input, stated twice: symbolically over the encoded programs, and
/// concretely on one input with the interpreter (the ground truth that confirms every
/// counterexample).
struct Claim {
  std::vector<ProgramRef> programs;
  /// True on the inputs where the claim fails, from the encoded roots of `programs`.
  std::function<Result<z3::expr>(const Encoder&, const std::vector<EncodedRoot>&)> violation;
  std::function<Run(const std::vector<ir::Value>&)> run;
};

/// For each length: unsat means proven; sat gives the least failing input of that length
/// (fixed position by position, each to the least symbol that keeps it satisfiable),
/// confirmed by `claim.run`.
[[nodiscard]] Result<Verdict> bounded_search(const Claim& claim, const BoundedOptions& options);

/// Runs `claim.run` on every input in order (length, then vocabulary order).
[[nodiscard]] Result<Verdict> enumerate(const Claim& claim, const BoundedOptions& options);

}  // namespace rasp::check::detail
