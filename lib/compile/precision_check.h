// lib/compile/precision_check.h - Whether weights rounded to f32 or f64 still give the interpreter's outputs.
#pragma once

#include <optional>
#include <vector>

#include "lib/compile/forward.h"
#include "lib/compile/model.h"
#include "lib/interp/evaluator.h"

namespace rasp::compile {

/// An input on which the forward pass in some precision decodes to other values than the
/// interpreter gives.
struct PrecisionMismatch {
  std::vector<ir::Value> input;
  interp::Output interpreter;
  interp::Output compiled;
};

struct PrecisionCheck {
  std::size_t inputs_checked = 0;
  std::optional<PrecisionMismatch> mismatch;
};

/// The compiled model is exact in exact arithmetic; its tensors are f32 or f64, and numbers
/// too large for the gaps between them (a mean of 1 and 2e7 tokens, say) decode wrongly once
/// rounded. Runs the forward pass in `precision` on the shortest inputs (every one while
/// they number at most 512), every input of one token repeated max_len times, and 16 inputs
/// drawn with a fixed seed at each longer length, within about `seconds`; the first input
/// (in that order) where it decodes other than the interpreter, if any.
[[nodiscard]] PrecisionCheck check_precision(const Model& model, const ir::Program& program, ir::NodeId root,
                                             const interp::Options& semantics, Precision precision,
                                             double seconds = 2.0);

}  // namespace rasp::compile
