// lib/compile/witness.cpp - Shortest-first enumeration of inputs, checked with the interpreter.
#include "lib/compile/witness.h"

#include "lib/interp/all_inputs.h"
#include "lib/interp/evaluator.h"

namespace rasp::compile {

WitnessSearch find_multi_select_witness(const ir::Program& program, ir::NodeId aggregate,
                                        const std::vector<ir::Value>& vocab, int max_len,
                                        std::size_t budget, bool different_values) {
  WitnessSearch out;
  const ir::Node& node = program.node(aggregate);
  ir::NodeId roots[] = {node.inputs[0], node.inputs[1]};
  std::size_t tried = 0;
  if (vocab.empty()) return out;
  for (int len = 1; len <= max_len; ++len) {
    interp::AllInputs input(vocab, static_cast<std::size_t>(len));
    do {
      if (tried++ >= budget) return out;
      auto trace = interp::trace(program, roots, *input, interp::Options{});
      if (trace) {
        const interp::Matrix& m = trace->matrix(roots[0]);
        const interp::Column& values = trace->column(roots[1]);
        for (std::size_t q = 0; q < m.n; ++q) {
          std::optional<std::size_t> first;
          bool hit = false;
          for (std::size_t k = 0; k < m.n && !hit; ++k) {
            if (!m.at(q, k)) continue;
            if (!first) {
              first = k;
            } else {
              hit = !different_values || !(values[*first] == values[k]);
            }
          }
          if (hit) {
            out.witness = *input;
            return out;
          }
        }
      }
    } while (input.next());
    out.checked_len = len;
  }
  return out;
}

}  // namespace rasp::compile
