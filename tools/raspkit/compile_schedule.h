// tools/raspkit/compile_schedule.h - The layer schedule `compile` and `cex` both compile with.
#pragma once

#include <optional>
#include <string>

#include "analyzers/bounds.h"
#include "analyzers/cost_model_optimal.h"
#include "lib/compile/model.h"

namespace rasp::cli {

/// `--schedule optimal`: the optimal bounds (with the compiled model's BOS position, so a
/// selector width is one head; 5 s for the exact head search). `asap`: nothing, and the
/// compiler places each node as early as its operands allow. `cex --model` relies on both
/// commands getting the same layout from this one place.
inline std::optional<analyze::Bounds> compile_schedule(const ir::Program& program, ir::NodeId root,
                                                      const std::string& schedule) {
  if (schedule != "optimal") return std::nullopt;
  analyze::BoundsOptions bo;
  bo.bos = true;
  bo.timeout_ms = 5000;
  return analyze::optimal_bounds(program, root, bo);
}

/// `--width-fusion auto|always|never` (CLI::IsMember checks the text), shared by compile, cex
/// and run --compiled.
inline compile::WidthFusion width_fusion(const std::string& text) {
  if (text == "always") return compile::WidthFusion::Always;
  if (text == "never") return compile::WidthFusion::Never;
  return compile::WidthFusion::Auto;
}

inline constexpr const char* kWidthFusionHelp =
    "a map of a selector width and other s-ops: auto (default) decodes the width first, one "
    "layer more, when reading it in its own layer would make a wider MLP; always takes the "
    "fewest layers; never always decodes first";

}  // namespace rasp::cli
