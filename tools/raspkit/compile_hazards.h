// tools/raspkit/compile_hazards.h - A compiled model's hazards proven by Z3, with exhaustive search as the fallback.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lib/compile/model.h"
#include "lib/ir/diagnostic.h"
#include "lib/ir/program.h"

namespace rasp::cli {

struct HazardCheck {
  /// No hazard happens on any input of up to this many tokens, proven by Z3.
  int proven_safe_up_to = 0;
  /// Why Z3 stopped before the maximum length (then the model's obligations were searched
  /// exhaustively over short inputs instead); empty when it did not.
  std::string fallback;
  /// One line per hazard that needed the solver ("name (file:line): statement").
  std::vector<std::string> proven;
  /// Hazards settled without a solver call (their violation simplified to false).
  int trivially_proven = 0;
  /// [{node, line, statement, proven_up_to}] for --json.
  nlohmann::json hazards = nlohmann::json::array();
};

/// Proves, for every input of 1..max_len tokens over `vocab`, the compiler's obligations
/// of `model` and the run-time hazards of `root` (no map, select or aggregate fails; widths
/// stay in range), with one Z3 encoding per length and `timeout_seconds` in all. Updates
/// each obligation's `checked_up_to`. Refuses (E0401 at the node, the least witness input,
/// confirmed by the interpreter, in a note) the first hazard that happens. When Z3 times
/// out or cannot encode the program, the obligations fall back to the exhaustive search of
/// `compile::CompileOptions::witness_len` tokens, which may refuse in the same way.
[[nodiscard]] Result<HazardCheck> discharge_hazards(const ir::Program& program, ir::NodeId root,
                                                    compile::Model& model,
                                                    const compile::CompileOptions& options,
                                                    double timeout_seconds);

/// Says on stderr what was proven, up to which length, and what fell back to search.
void print_hazard_check(const HazardCheck& check, int max_len);

/// Seconds Z3 gets for the hazards unless `compile --timeout` says otherwise.
inline constexpr double kHazardTimeoutSeconds = 20;

/// A model compiled as `raspkit compile` makes it and its hazards proven.
struct CheckedModel {
  compile::Model model;
  HazardCheck hazards;
};

/// What `raspkit compile` does before it writes weights, shared with `run --compiled`:
/// compiles `root` with the layer schedule named by `schedule` (compile_schedule.h), then
/// discharges the hazards (discharge_hazards), refusing as compile refuses.
[[nodiscard]] Result<CheckedModel> compile_checked(const ir::Program& program, ir::NodeId root,
                                                   compile::CompileOptions options, const std::string& schedule,
                                                   double timeout_seconds);

}  // namespace rasp::cli
