// checkers/smt/property.h - A boolean s-op true at every position of every short input, or where not.
#pragma once

#include "checkers/smt/encoder.h"
#include "checkers/smt/verdict.h"

namespace rasp::check {

/// Decides, length by length, whether `assertion` (an s-op of `program`) is truthy at every
/// position of every input on which `expr` is evaluated. An input on which either fails to
/// evaluate is a counterexample. The counterexample's output_a is `expr`, output_b the
/// assertion.
[[nodiscard]] Result<Verdict> check_property(const ir::Program& program, ir::NodeId expr,
                                             ir::NodeId assertion, const BoundedOptions& options);

}  // namespace rasp::check
