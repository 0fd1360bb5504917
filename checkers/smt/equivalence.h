// checkers/smt/equivalence.h - Two RASP expressions equal on every short input, or where not.
#pragma once

#include "checkers/smt/encoder.h"
#include "checkers/smt/verdict.h"

namespace rasp::check {

/// Decides, length by length from 1 to `options.max_len`, whether `a` and `b` give the same
/// result on every input: s-ops positionwise under Python's `==`, selectors as matrices.
/// An input on which both fail counts as agreement; one on which only one fails does not.
///
/// Fails (E0209) when one is a selector and the other an s-op, and (E0211) when a vocabulary
/// symbol is not a valid token. Solver trouble is an Inconclusive verdict, never an error.
[[nodiscard]] Result<Verdict> check_equivalence(const ProgramRef& a, const ProgramRef& b,
                                                const BoundedOptions& options);

/// The same question answered by running the interpreter on every input, in order of
/// length and then vocabulary order, so the first difference is the least counterexample.
/// The reference for tests and benchmarks; exponential in `max_len`.
[[nodiscard]] Result<Verdict> enumerate_equivalence(const ProgramRef& a, const ProgramRef& b,
                                                    const BoundedOptions& options);

}  // namespace rasp::check
