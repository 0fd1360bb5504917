// checkers/smt/selector_classes.cpp - One equivalence proof per selector and class.
#include "checkers/smt/selector_classes.h"

#include <fmt/format.h>

#include <algorithm>

#include "checkers/smt/equivalence.h"

namespace rasp::check {

Result<SelectorClasses> equal_selectors(const ir::Program& program, ir::NodeId root,
                                        const BoundedOptions& options) {
  SelectorClasses out;
  out.representative.resize(program.size());
  for (ir::NodeId id = 0; id < program.size(); ++id) out.representative[id] = id;
  std::vector<ir::NodeId> selectors;
  for (ir::NodeId id : program.ancestors(root)) {
    const ir::Node& n = program.node(id);
    if (!ir::is_attention_kind(n.kind)) continue;
    if (std::find(selectors.begin(), selectors.end(), n.inputs[0]) == selectors.end()) {
      selectors.push_back(n.inputs[0]);
    }
  }
  std::vector<ir::NodeId> classes;
  for (ir::NodeId s : selectors) {
    bool placed = false;
    for (ir::NodeId rep : classes) {
      auto verdict = check_equivalence({&program, rep}, {&program, s}, options);
      if (!verdict) return tl::unexpected(verdict.error());
      if (std::holds_alternative<Proven>(*verdict)) {
        out.representative[s] = rep;
        out.merged.emplace_back(s, rep);
        placed = true;
        break;
      }
      if (const auto* why = std::get_if<Inconclusive>(&*verdict)) {
        out.inconclusive.push_back(fmt::format("selectors #{} and #{}: {}", rep, s, why->reason));
      }
    }
    if (!placed) classes.push_back(s);
  }
  return out;
}

}  // namespace rasp::check
