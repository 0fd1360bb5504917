// checkers/smt/selector_classes.h - Selectors proven equal on every short input, so their heads can be shared.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "checkers/smt/verdict.h"
#include "lib/ir/program.h"

namespace rasp::check {

struct SelectorClasses {
  /// For every node of the program: the first selector (in topological order) proven equal
  /// to it, or itself.
  std::vector<ir::NodeId> representative;
  /// (selector, representative) for each selector merged into an earlier one.
  std::vector<std::pair<ir::NodeId, ir::NodeId>> merged;
  /// Pairs neither proven equal nor refuted (timeout, Z3's unknown, an encoding the
  /// encoder refuses), each with the reason; they are not merged.
  std::vector<std::string> inconclusive;
};

/// Partitions the selectors that attention nodes among the ancestors of `root` read
/// (aggregates and selector widths) into classes of selectors with the same matrix on
/// every input of 1..max_len tokens (check_equivalence on each selector against the
/// representative of each class so far; equality is transitive, so one proof per class
/// suffices). Selectors that hash-cons to one node are one selector already.
[[nodiscard]] Result<SelectorClasses> equal_selectors(const ir::Program& program,
                                                      ir::NodeId root,
                                                      const BoundedOptions& options);

}  // namespace rasp::check
