// lib/compile/witness.h - Exhaustive search over short inputs for inputs that break a compile assumption.
#pragma once

#include <optional>
#include <vector>

#include "lib/ir/program.h"
#include "lib/ir/value.h"

namespace rasp::compile {

struct WitnessSearch {
  std::optional<std::vector<ir::Value>> witness;
  /// Every input of 1..checked_len tokens was tried (less than asked when over budget).
  int checked_len = 0;
};

/// Tries every input of 1..max_len tokens over `vocab`, shortest first, until `aggregate`
/// selects two or more keys for some query (keys holding different values when
/// `different_values`). Inputs on which the interpreter fails before the aggregate are
/// skipped; at most `budget` inputs are tried.
[[nodiscard]] WitnessSearch find_multi_select_witness(const ir::Program& program,
                                                      ir::NodeId aggregate,
                                                      const std::vector<ir::Value>& vocab,
                                                      int max_len, std::size_t budget,
                                                      bool different_values);

}  // namespace rasp::compile
